/**
 * The paper's Table 1 on this project's data (docs/decisions/0025): `step compare` with the
 * small presets on a synthetic set (or --data DIR, e.g. an edges-from-photos set), recorded in
 * bench/results/compare-<label>.json with the command line and the machine.
 * Run: npx tsx bench/compare.ts [--data DIR] [--label synth] [--count 1000] [--size 64]
 *        [--steps 2000] [--encoder-steps 1000] [--batch 8] [--features resnet50] [--backend wasm]
 *        [--quick]   (tiny networks and random features: the CI smoke run)
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { main } from '../src/cli/main.js'
import { BENCH_DATA, machine, synthData, writeResult } from './common.js'

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    label: { type: 'string', default: 'synth' },
    count: { type: 'string', default: '1000' },
    size: { type: 'string', default: '64' },
    steps: { type: 'string', default: '2000' },
    'encoder-steps': { type: 'string', default: '1000' },
    batch: { type: 'string', default: '8' },
    features: { type: 'string', default: 'resnet50' },
    backend: { type: 'string', default: 'wasm' },
    quick: { type: 'boolean', default: false },
  },
})

const quick = values.quick
const data =
  values.data ??
  (quick ? undefined : await synthData(Number(values.count), Number(values.size), 11))
const out = await mkdtemp(join(quick ? tmpdir() : BENCH_DATA, 'compare-'))
const args = [
  'compare',
  '--out',
  join(out, 'run'),
  '--backend',
  values.backend,
  ...(data ? ['--data', data] : []),
  ...(quick
    ? ['--quick']
    : [
        '--size',
        values.size,
        '--steps',
        values.steps,
        '--encoder-steps',
        values['encoder-steps'],
        '--batch',
        values.batch,
        '--features',
        values.features,
      ]),
]
const code = await main(args)
if (code !== 0) process.exit(code)
const table: unknown = JSON.parse(await readFile(join(out, 'run', 'compare.json'), 'utf8'))
await writeResult(`compare-${quick ? 'quick' : values.label}`, {
  command: `step ${args.join(' ')}`,
  machine: machine(),
  table,
})
