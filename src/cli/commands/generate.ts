/** `step generate`: style transfer / guided synthesis G(A, E(S)) with a trained model. */
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { batchToImages } from '../../core/image/tensor.js'
import { encode, generate, styleStrength } from '../../inference/model.js'
import { disposeModel } from '../../inference/load.js'
import { backendFlag, floatFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { batchOf, fitContent, fitStyle, openModel, readImage, writePng } from '../model-io.js'

const usage = `step generate --model CKPT --input A.png --style S.png --out O.png [--strength X]
        [--backend auto|wasm|webgpu|cpu]

Writes G(A, z) to O.png: the content image A in the style of S, z = E(S) its style code. CKPT is a
'train generator', 'train finetune' or 'train mapper' output.
  --strength X   style strength, 0..4 (default 1): z = mean + X (E(S) - mean), mean = the model's
                 mean style code (zero without a mapper); 0 gives the mean style, > 1 exaggerates
Sizes: S is fitted (scale + centre crop) to the model's training size N. A is fitted to N x N,
unless both its sides are at least N: then it keeps its size, centre-cropped to multiples of 8
(at most 7 pixels cut per dimension). O.png has A's fitted size.`

const schema = z.object({
  model: pathFlag,
  input: pathFlag,
  style: pathFlag,
  out: pathFlag,
  strength: floatFlag(0, 4).default(1),
  backend: backendFlag,
  help: z.boolean().optional(),
})

/** The command. */
export const generateCommand: Command = {
  name: 'generate',
  summary: 'G(A, E(S)): the content image A in the style of image S',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      Object.fromEntries(
        ['model', 'input', 'style', 'out', 'strength', 'backend'].map((k) => [
          k,
          { type: 'string' as const },
        ]),
      ),
      schema,
    )
    if (o.help) return (say(usage), 0)
    const input = await readImage(o.input)
    const style = await readImage(o.style)
    const { model, size } = await openModel(o.model, o.backend)
    try {
      const content = fitContent(input, size)
      const out = tf.tidy(() => {
        const z = styleStrength(model, encode(model, batchOf(fitStyle(style, size))), o.strength)
        return generate(model, batchOf(content), z)
      })
      const [image] = await batchToImages(out)
      out.dispose()
      if (!image) throw new RangeError('generate: no output')
      await writePng(o.out, image)
      say(`wrote ${o.out} (${image.width}x${image.height})`)
      return 0
    } finally {
      disposeModel(model)
    }
  },
}
