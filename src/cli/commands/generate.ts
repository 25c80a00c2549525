/** `step generate`: style transfer / guided synthesis G(A, E(S)) with a trained model. */
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { batchToImages } from '../../core/image/tensor.js'
import { encode, generate, styleStrength } from '../../inference/model.js'
import { disposeModel } from '../../inference/load.js'
import { backendFlag, floatFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { cliProvenance, generateGraph } from '../cli-provenance.js'
import { writeImageFile } from '../image-out.js'
import { batchOf, fitContent, fitStyle, openModel, readImage } from '../model-io.js'
import { jsonFlag, result } from '../result-line.js'
import { MAX_SIDE_USAGE, maxSideFlag } from '../max-side-flag.js'

const usage = `step generate --model CKPT --input A.png --style S.png --out O.png [--strength X]
        [--backend auto|wasm|webgpu|cpu] [--max-side N] [--json]

Writes G(A, z) to O.png: the content image A in the style of S, z = E(S) its style code. CKPT is a
'train generator', 'train finetune' or 'train mapper' output.
  --strength X   style strength, 0..4 (default 1): z = mean + X (E(S) - mean), mean = the model's
                 mean style code (zero without a mapper); 0 gives the mean style, > 1 exaggerates
Sizes: S is fitted (scale + centre crop) to the model's training size N. A is fitted to N x N,
unless both its sides are at least N: then it keeps its size, centre-cropped to multiples of 8
(at most 7 pixels cut per dimension). O.png has A's fitted size.
${MAX_SIDE_USAGE}`

const schema = z.object({
  model: pathFlag,
  input: pathFlag,
  style: pathFlag,
  out: pathFlag,
  strength: floatFlag(0, 4).default(1),
  backend: backendFlag,
  'max-side': maxSideFlag,
  json: jsonFlag.schema,
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
      {
        ...Object.fromEntries(
          ['model', 'input', 'style', 'out', 'strength', 'backend', 'max-side'].map((k) => [
            k,
            { type: 'string' as const },
          ]),
        ),
        json: { type: 'boolean' },
      },
      schema,
    )
    if (o.help) return (say(usage), 0)
    const input = await readImage(o.input, o['max-side'])
    const style = await readImage(o.style, o['max-side'])
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
      const graph = generateGraph({ ...o, model: o.model, input: o.input, style: o.style })
      await writeImageFile(o.out, image, cliProvenance(graph))
      result(o.json, `wrote ${o.out} (${image.width}x${image.height})`, {
        out: o.out,
        width: image.width,
        height: image.height,
        strength: o.strength,
      })
      return 0
    } finally {
      disposeModel(model)
    }
  },
}
