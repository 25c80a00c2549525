/**
 * `step demo` (npm run demo): the headless main job. Writes a small synthetic dataset (held out:
 * a seed the default model never saw), a contact sheet of its A|B pairs, and with the shipped
 * default model (examples/models/default) four sheets: reconstructions G(A, E(B)) of 8 pairs,
 * random samples G(A, M(e)), style transfer G(A, E(S)) and an interpolation strip through four
 * styles. Images are made at the model's size unless --size says otherwise.
 */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { grid, joinHorizontal } from '../../core/image/compose.js'
import { encodePng } from '../../core/image/encode.js'
import type { RgbImage } from '../../core/image/types.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { fitImage } from '../../core/image/resize.js'
import { DEFAULT_MODEL } from '../../runtime/env.node.js'
import { disposeModel } from '../../inference/load.js'
import { backendFlag, intFlag, parseOptions, pathFlag } from '../args.js'
import { openModel } from '../model-io.js'
import {
  interpolationStrip,
  reconstructionSheet,
  samplesSheet,
  transferSheet,
} from '../model-sheets.js'
import { say, type Command } from '../command.js'
import { createProgress } from '../progress.js'

const usage = `step demo [--out DIR] [--count N] [--size S] [--seed K] [--model DIR | --no-model]
        [--backend auto|wasm|webgpu|cpu]

Writes a synthetic dataset to DIR/data and a contact sheet of its A|B pairs to
DIR/contact-sheet.png (defaults: out/demo, 16 pairs at the model's size (64 px without one),
seed 99: not a training seed of the default model). With a model (default: the shipped
${DEFAULT_MODEL}) also DIR/reconstruction.png (8 pairs; rows: A, B, G(A, E(B))),
DIR/samples.png (rows: A, then 8 random styles G(A, M(e))), DIR/transfer.png (styles on top,
rows: A, then G(A, E(style))) and DIR/interpolation.png (A through four styles, slerp).`

const schema = z.object({
  out: pathFlag.default('out/demo'),
  count: intFlag(8, 256).default(16),
  size: intFlag(16, 512).optional(),
  seed: intFlag(0, 0xffffffff).default(99),
  model: z.string().optional(),
  'no-model': z.boolean().default(false),
  backend: backendFlag,
  help: z.boolean().optional(),
})

/** The command. */
export const demo: Command = {
  name: 'demo',
  summary: 'the main job: dataset contact sheet + sheets made with the default model',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      {
        out: { type: 'string' },
        count: { type: 'string' },
        size: { type: 'string' },
        seed: { type: 'string' },
        model: { type: 'string' },
        'no-model': { type: 'boolean' },
        backend: { type: 'string' },
      },
      schema,
    )
    if (o.help) return (say(usage), 0)
    const modelDir = o['no-model']
      ? null
      : (o.model ?? (existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : null))
    if (modelDir === null && !o['no-model'])
      say(`note: no default model at ${DEFAULT_MODEL}; only the contact sheet`)
    const opened = modelDir === null ? null : await openModel(modelDir, o.backend)
    try {
      const size = o.size ?? opened?.size ?? 64
      const dataDir = join(o.out, 'data')
      const progress = createProgress('synth', o.count)
      await writeSynthDataset({
        out: dataDir,
        count: o.count,
        size,
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
      if (!opened || modelDir === null) return 0
      const { model } = opened
      const fit = (img: RgbImage) => fitImage(img, opened.size, opened.size, 'cover')
      const contents = pairs.map((p) => fit(p.input))
      const styles = pairs.map((p) => fit(p.output))
      const sheets: [string, RgbImage][] = [
        [
          'reconstruction.png',
          await reconstructionSheet(model, contents.slice(0, 8), styles.slice(0, 8)),
        ],
        ['transfer.png', await transferSheet(model, contents.slice(0, 4), styles.slice(4, 10))],
        [
          'interpolation.png',
          await interpolationStrip(model, contents[0] as RgbImage, styles.slice(4, 8), 4),
        ],
      ]
      if (model.mapper)
        sheets.splice(1, 0, ['samples.png', await samplesSheet(model, contents.slice(0, 4), 8)])
      for (const [name, img] of sheets) {
        await writeFile(join(o.out, name), encodePng(img))
        say(
          `${name.replace('.png', '')}: ${join(o.out, name)} (${img.width}x${img.height}, model ${modelDir})`,
        )
      }
      return 0
    } finally {
      if (opened) disposeModel(opened.model)
    }
  },
}
