/** `step sample`: random styles G(A, M(e)), e ~ N(0, I), through the model's mapper, as a grid. */
import { z } from 'zod'
import { StepError } from '../../core/errors.js'
import { grid } from '../../core/image/compose.js'
import { batchToImages } from '../../core/image/tensor.js'
import { sample } from '../../inference/model.js'
import { disposeModel } from '../../inference/load.js'
import { backendFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { batchOf, fitContent, openModel, readImage, writePng } from '../model-io.js'

const usage = `step sample --model CKPT --input A.png --out GRID.png [--count N] [--seed K]
        [--backend auto|wasm|webgpu|cpu]

Random styles: G(A, M(e)) for N noise vectors e ~ N(0, I) drawn from seed K, with the mapper M of
CKPT (a 'train mapper' output).
  --count N   samples, 1..256 (default 8)      --seed K   seed (default 1); same seed, same grid
Writes one PNG grid, row-major with ceil(sqrt(N + 1)) columns and 2-pixel white gaps: the input A
(fitted as by step generate) first, then the N samples.`

const schema = z.object({
  model: pathFlag,
  input: pathFlag,
  out: pathFlag,
  count: intFlag(1, 256).default(8),
  seed: intFlag(0, 0xffffffff).default(1),
  backend: backendFlag,
  help: z.boolean().optional(),
})

/** Columns of the sample grid for `cells` cells. */
export function sampleGridColumns(cells: number): number {
  return Math.ceil(Math.sqrt(cells))
}

/** The command. */
export const sampleCommand: Command = {
  name: 'sample',
  summary: 'G(A, M(e)): random styles through the mapper, as a grid PNG',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      Object.fromEntries(
        ['model', 'input', 'out', 'count', 'seed', 'backend'].map((k) => [
          k,
          { type: 'string' as const },
        ]),
      ),
      schema,
    )
    if (o.help) return (say(usage), 0)
    const input = await readImage(o.input)
    const { model, size, stage } = await openModel(o.model, o.backend)
    try {
      if (!model.mapper)
        throw new StepError(
          'model/no-mapper',
          `has no mapper M (it is a '${stage}' checkpoint), which sampling needs: train mapper first (step train mapper --from ${o.model} --data DIR --out CKPT4)`,
          o.model,
        )
      const content = fitContent(input, size)
      const a = batchOf(content)
      let images
      try {
        const result = sample(model, a, o.count, o.seed)
        result.z.dispose()
        images = result.images
      } finally {
        a.dispose()
      }
      const outputs = await batchToImages(images)
      images.dispose()
      const cells = [content, ...outputs]
      await writePng(o.out, grid(cells, sampleGridColumns(cells.length)))
      say(`wrote ${o.out} (input + ${o.count} samples, seed ${o.seed})`)
      return 0
    } finally {
      disposeModel(model)
    }
  },
}
