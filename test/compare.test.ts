/**
 * `step compare --quick` end to end (docs/decisions/0025): StEP stages 1-3 with their mappers,
 * BicycleGAN and MUNIT trained on a 16-sample synthetic set at 16 px with tiny networks and random
 * features, then evaluated; the table's JSON is checked, and the baselines' checkpoints load as
 * models that `step generate` and `step eval` accept. wasm backend (cpu is ~10x slower here).
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../src/cli/main.js'
import { step } from './helpers/step-cli.js'

const SLOW = 600_000 // a limit for a shared machine, not a speed target

describe('step compare --quick', () => {
  it(
    'writes one row per model with finite metrics, equal budgets and honest image counts',
    async () => {
      const out = join(await mkdtemp(join(tmpdir(), 'step-compare-')), 'run')
      // in this process: a child's 2-minute limit is tight on a shared machine
      const argv = ['compare', '--quick', '--out', out, '--backend', 'wasm', '--steps', '2']
      expect(await main(argv)).toBe(0)
      const table = JSON.parse(await readFile(join(out, 'compare.json'), 'utf8')) as {
        format: string
        eval_pairs: number
        rows: Record<string, number | string | null>[]
      }
      expect(table.format).toBe('step-compare')
      // the validation split of 16 pairs (a quarter, by name hash), at most --eval-count 4
      expect(table.eval_pairs).toBeGreaterThan(0)
      expect(table.eval_pairs).toBeLessThanOrEqual(4)
      expect(table.rows.map((row) => row.model)).toEqual([
        'step-stage2',
        'step-stage3',
        'bicyclegan',
        'munit',
      ])
      for (const row of table.rows) {
        for (const k of ['psnr', 'ssim', 'perceptual', 'diversity', 'train_seconds', 'params'])
          expect(Number.isFinite(row[k]), `${String(row.model)}.${k}`).toBe(true)
        expect(row.psnr as number).toBeGreaterThan(0)
        expect(row.diversity as number).toBeGreaterThan(0) // every model samples
      }
      const images = table.rows.map((row) => row.images_seen)
      expect(images).toEqual([4, 6, 4, 4]) // 2 steps x batch 2; stage 3 adds 1 step
      expect(table.rows.map((row) => row.pretraining_images)).toEqual([4, 4, 0, 0])
      // a baseline's checkpoint is a model the inference commands take
      const e = step(
        'eval',
        '--model',
        join(out, 'munit'),
        '--data',
        join(out, 'data'),
        '--count',
        '2',
        '--features',
        'random',
        '--backend',
        'wasm',
      )
      expect(e.code, e.stderr).toBe(0)
      expect(Number.isFinite((JSON.parse(e.stdout) as { psnr: number }).psnr)).toBe(true)
    },
    SLOW,
  )

  it('refuses a non-empty --out and a full run without --data, in one line', async () => {
    const out = await mkdtemp(join(tmpdir(), 'step-compare-bad-'))
    const r = step('compare', '--out', out)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/--data DIR is required without --quick/)
  })
})
