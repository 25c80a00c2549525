/** `step dataset edges`: an edges2photos dataset from the user's own photos. */
import { z } from 'zod'
import { buildEdgesDataset } from '../../data/edges-dataset.node.js'
import { floatFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { say, warn, type Command } from '../command.js'
import { createProgress, type Progress } from '../progress.js'

const usage = `step dataset edges --from PHOTOS_DIR --out DIR [--size S] [--fit cover|contain|stretch]
                   [--sigma X] [--thickness T]

Fits every PNG/JPEG photo in PHOTOS_DIR to S x S and writes side-by-side A|B PNGs to DIR with
A = an edge drawing (Canny: Gaussian blur, Sobel, non-maximum suppression, automatic hysteresis
thresholds, short chains removed) and B = the photo. Unreadable photos are reported and skipped.
  --size S        output side in pixels, 16..1024 (default 256)
  --fit POLICY    cover (scale + centre crop, default), contain (pad with white), stretch
  --sigma X       blur before edge detection, 0.3..8 (default: scaled to the size)
  --thickness T   line width in pixels, 1..5 (default 1)`

const schema = z.object({
  from: pathFlag,
  out: pathFlag,
  size: intFlag(16, 1024).default(256),
  fit: z.enum(['cover', 'contain', 'stretch']).default('cover'),
  sigma: floatFlag(0.3, 8).optional(),
  thickness: intFlag(1, 5).optional(),
  help: z.boolean().optional(),
})

/** The command. */
export const datasetEdges: Command = {
  name: 'dataset edges',
  summary: "build an edges->photo A|B dataset from a folder of the user's photos",
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      {
        from: { type: 'string' },
        out: { type: 'string' },
        size: { type: 'string' },
        fit: { type: 'string' },
        sigma: { type: 'string' },
        thickness: { type: 'string' },
      },
      schema,
    )
    if (o.help) return (say(usage), 0)
    const bar: { progress?: Progress } = {}
    const result = await buildEdgesDataset({
      from: o.from,
      out: o.out,
      size: o.size,
      fit: o.fit,
      edges: {
        ...(o.sigma !== undefined ? { sigma: o.sigma } : {}),
        ...(o.thickness !== undefined ? { thickness: o.thickness } : {}),
      },
      onProgress: (done, total) => (bar.progress ??= createProgress('edges', total)).update(done),
      onSkip: (message) => warn(`skipped ${message}`),
    })
    bar.progress?.finish()
    say(
      `wrote ${result.written} pairs to ${o.out}${result.skipped.length ? `; skipped ${result.skipped.length} unreadable file(s), listed above` : ''}`,
    )
    return result.written > 0 ? 0 : 1
  },
}
