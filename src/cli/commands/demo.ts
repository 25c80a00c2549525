/**
 * `step demo` (npm run demo): the headless main job until the trained default model exists.
 * Writes a small synthetic dataset, reads it back through the paired-dataset loader, and saves a
 * contact sheet of A|B pairs.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { grid, joinHorizontal } from '../../core/image/compose.js'
import { encodePng } from '../../core/image/encode.js'
import { folderStore } from '../../data/node-store.js'
import { openPairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write-node.js'
import { intFlag, parseOptions, pathFlag } from '../args.js'
import { say, type Command } from '../command.js'
import { createProgress } from '../progress.js'

const usage = `step demo [--out DIR] [--count N] [--size S] [--seed K]

Writes a synthetic dataset to DIR/data and a contact sheet of its A|B pairs to
DIR/contact-sheet.png (defaults: out/demo, 16 pairs of 96 px, seed 1).`

const schema = z.object({
  out: pathFlag.default('out/demo'),
  count: intFlag(1, 256).default(16),
  size: intFlag(16, 512).default(96),
  seed: intFlag(0, 0xffffffff).default(1),
  help: z.boolean().optional(),
})

/** The command. */
export const demo: Command = {
  name: 'demo',
  summary: 'headless demo: synthetic dataset + contact sheet of A|B pairs',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      {
        out: { type: 'string' },
        count: { type: 'string' },
        size: { type: 'string' },
        seed: { type: 'string' },
      },
      schema,
    )
    if (o.help) return (say(usage), 0)
    const dataDir = join(o.out, 'data')
    const progress = createProgress('synth', o.count)
    await writeSynthDataset({
      out: dataDir,
      count: o.count,
      size: o.size,
      seed: o.seed,
      onProgress: (d) => progress.update(d),
    })
    progress.finish()
    const dataset = await openPairedDataset(folderStore(dataDir), { valFraction: 0 })
    const pairs = await Promise.all(dataset.names.map((n) => dataset.load(n)))
    const sheet = grid(
      pairs.map((p) => joinHorizontal(p.input, p.output)),
      4,
      4,
    )
    const sheetPath = join(o.out, 'contact-sheet.png')
    await writeFile(sheetPath, encodePng(sheet))
    say(
      `dataset: ${dataDir} (${dataset.names.length} pairs, styles in ${join(dataDir, 'styles.json')})`,
    )
    say(`contact sheet: ${sheetPath} (${sheet.width}x${sheet.height})`)
    return 0
  },
}
