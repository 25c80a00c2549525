/**
 * `step interpolate`: a strip of G(A, z) with z walking from E(S1) to E(S2) (and on through S3 ..
 * SN), one output per step, with the style images shown above the outputs that reproduce them.
 */
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { grid } from '../../core/image/compose.js'
import { fitImage } from '../../core/image/resize.js'
import { batchToImages, imagesToBatch } from '../../core/image/tensor.js'
import type { RgbImage } from '../../core/image/types.js'
import { encode, generate, interpolateCodes } from '../../inference/model.js'
import { disposeModel } from '../../inference/load.js'
import { backendFlag, UsageError, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import {
  batchOf,
  blankImage,
  fitContent,
  fitStyle,
  openModel,
  readImage,
  writePng,
} from '../model-io.js'

const usage = `step interpolate --model CKPT --input A.png --styles S1.png,S2.png[,...] --out STRIP.png
        [--steps T] [--mode lerp|slerp] [--backend auto|wasm|webgpu|cpu]

Style interpolation: G(A, z) as z walks from E(S1) to E(S2), then on to E(S3) ... E(SN).
  --styles       2 or more style images, comma-separated
  --steps T      outputs per segment Sk -> Sk+1, 2..64 (default 7), both ends included
                 (t = 0, 1/(T-1), ..., 1); segments share their ends, so the strip holds
                 (N-1)(T-1)+1 outputs
  --mode M       lerp (default) or slerp (spherical; lerp for (anti)parallel codes)
Layout (2-pixel white gaps): the top row holds a blank cell, then each style image Sk above the
output whose code is exactly E(Sk) (blank cells between); the bottom row holds A (fitted as by
step generate), then the outputs from left to right.`

const schema = z.object({
  model: pathFlag,
  input: pathFlag,
  styles: pathFlag,
  out: pathFlag,
  steps: intFlag(2, 64).default(7),
  mode: z.enum(['lerp', 'slerp']).default('lerp'),
  backend: backendFlag,
  help: z.boolean().optional(),
})

/** The style files of --styles (UsageError unless 2 or more non-empty names). */
export function parseStyles(flag: string): string[] {
  const files = flag.split(',').map((s) => s.trim())
  if (files.some((f) => f === ''))
    throw new UsageError(`--styles: empty file name in the list (got "${flag}")`)
  if (files.length < 2)
    throw new UsageError(
      `--styles: give at least 2 comma-separated style images to interpolate between (got ${files.length})`,
    )
  return files
}

/** The command. */
export const interpolateCommand: Command = {
  name: 'interpolate',
  summary: 'a strip of G(A, z) with z moving from style S1 to S2 (.. SN)',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      Object.fromEntries(
        ['model', 'input', 'styles', 'out', 'steps', 'mode', 'backend'].map((k) => [
          k,
          { type: 'string' as const },
        ]),
      ),
      schema,
    )
    if (o.help) return (say(usage), 0)
    const styleFiles = parseStyles(o.styles)
    const input = await readImage(o.input)
    const styles: RgbImage[] = []
    for (const f of styleFiles) styles.push(await readImage(f))
    const { model, size } = await openModel(o.model, o.backend)
    try {
      const content = fitContent(input, size)
      const t = Array.from({ length: o.steps }, (_, i) => i / (o.steps - 1))
      const out = tf.tidy(() => {
        const zDim = model.encoder.config.zDim
        const zs = encode(model, imagesToBatch(styles.map((s) => fitStyle(s, size))))
        const segments: tf.Tensor2D[] = []
        for (let k = 0; k + 1 < styles.length; k++) {
          const pair = tf.slice(zs, [k, 0], [2, zDim])
          // Segments after the first start at t > 0: their t = 0 is the previous one's t = 1.
          const ts = k === 0 ? t : t.slice(1)
          segments.push(interpolateCodes(pair, { t: ts, mode: o.mode }, zDim))
        }
        return generate(model, batchOf(content), tf.concat(segments, 0))
      })
      const outputs = await batchToImages(out)
      out.dispose()
      const { width, height } = content
      const blank = blankImage(width, height)
      const top = outputs.map((_, j) =>
        j % (o.steps - 1) === 0
          ? fitImage(styles[j / (o.steps - 1)] ?? blank, width, height, 'cover')
          : blank,
      )
      const cells = [blank, ...top, content, ...outputs]
      await writePng(o.out, grid(cells, outputs.length + 1))
      say(`wrote ${o.out} (${outputs.length} outputs through ${styles.length} styles, ${o.mode})`)
      return 0
    } finally {
      disposeModel(model)
    }
  },
}
