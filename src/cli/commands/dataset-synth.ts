/** `step dataset synth`: the procedural multi-modal paired dataset (the embedded default). */
import { z } from 'zod'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { createProgress } from '../progress.js'

const usage = `step dataset synth --out DIR [--count N] [--size S] [--seed K] [--restyle-of SRC_DIR]

Writes N side-by-side A|B PNGs (A = line drawing of a random scene, B = the same scene in a
random style) and styles.json with each sample's style parameters and style-cluster id.
  --out DIR           output folder (created; must be empty or a previous synth output)
  --count N           number of pairs, 1..100000 (default 64)
  --size S            side of A and B in pixels, 16..1024 (default 64)
  --seed K            seed, 0..4294967295 (default 1); the same seed gives byte-identical files
  --restyle-of SRC    render SRC's scenes in other SRC samples' styles: ground truth for
                      style transfer (styles.json lists the content and style source of each)`

const schema = z.object({
  out: pathFlag,
  count: intFlag(1, 100_000).default(64),
  size: intFlag(16, 1024).default(64),
  seed: intFlag(0, 0xffffffff).default(1),
  'restyle-of': z.string().min(1).optional(),
  help: z.boolean().optional(),
})

/** The command. */
export const datasetSynth: Command = {
  name: 'dataset synth',
  summary: 'write the synthetic multi-modal A|B dataset (the embedded default)',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      {
        out: { type: 'string' },
        count: { type: 'string' },
        size: { type: 'string' },
        seed: { type: 'string' },
        'restyle-of': { type: 'string' },
      },
      schema,
    )
    if (o.help) return (say(usage), 0)
    const progress = createProgress('synth', o.count)
    const manifest = await writeSynthDataset({
      out: o.out,
      count: o.count,
      size: o.size,
      seed: o.seed,
      ...(o['restyle-of'] ? { restyleOf: o['restyle-of'] } : {}),
      onProgress: (done) => progress.update(done),
    })
    progress.finish()
    say(
      `wrote ${manifest.samples.length} pairs (${o.size}x${o.size}, seed ${o.seed}) and styles.json to ${o.out}`,
    )
    return 0
  },
}
