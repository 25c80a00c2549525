import * as tf from '@tensorflow/tfjs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { StepError } from '../../core/errors.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset, type PairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { TINY_BICYCLEGAN, TINY_MUNIT } from '../../models/baselines/tiny.js'
import { folderCheckpointIO, loadCheckpoint } from '../../checkpoint/folder-store.node.js'
import { klDivergence } from './bicyclegan-step.js'
import { BICYCLEGAN, MUNIT } from './families.js'
import { trainBaseline, type BaselineFamily } from './trainer.js'

const SIZE = 16
// cpu steps of these tiny nets take seconds (conv gradients); a limit, not a speed target
const SLOW = 600_000
let root = ''
let dataset: PairedDataset
let fingerprint = ''

beforeAll(async () => {
  await tf.setBackend('cpu')
  root = await mkdtemp(join(tmpdir(), 'step-baselines-'))
  await writeSynthDataset({ out: join(root, 'synth'), count: 12, size: SIZE, seed: 4 })
  dataset = await openPairedDataset(folderStore(join(root, 'synth')), { valFraction: 0.2 })
  fingerprint = await dataset.fingerprint('train')
})

describe('BicycleGAN losses', () => {
  it('KL is 0 for N(0, I) and matches the closed form otherwise', () => {
    const zero = klDivergence(tf.zeros([2, 3]), tf.zeros([2, 3]))
    expect(zero.dataSync()[0]).toBeCloseTo(0, 7)
    // one code, mu = 1, logvar = log 2: 0.5 (1 + 2 - 1 - ln 2) per dim
    const kl = klDivergence(tf.tensor2d([[1, 1]]), tf.tensor2d([[Math.log(2), Math.log(2)]]))
    expect(kl.dataSync()[0]).toBeCloseTo(2 * 0.5 * (2 - Math.log(2)), 5)
  })
})

type AnyFamily = BaselineFamily<unknown, unknown, unknown, Record<string, number>>
const cases: [string, AnyFamily, unknown, string][] = [
  ['BicycleGAN', BICYCLEGAN, TINY_BICYCLEGAN, 'l1'],
  ['MUNIT', MUNIT, TINY_MUNIT, 'rec_image'],
]

describe.each(cases)('%s training', (name, family, config) => {
  it(
    'a run cancelled after one step and resumed equals an uninterrupted run, bit for bit',
    async () => {
      const base = {
        config,
        dataset,
        datasetFingerprint: fingerprint,
        size: SIZE,
        steps: 2,
        seed: 5,
        batchSize: 2,
        checkpointEvery: 10,
      }
      const whole = await trainBaseline(family, {
        ...base,
        io: folderCheckpointIO(join(root, `${name}-whole`)),
      })
      expect(whole.status).toBe('done')
      family.dispose(whole.nets)
      const controller = new AbortController()
      const io = folderCheckpointIO(join(root, `${name}-split`))
      const seen: number[] = []
      const first = await trainBaseline(family, {
        ...base,
        io,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.step)
          if (p.step === 1) controller.abort()
        },
      })
      // cancel within one step: the step in flight finishes, the next one never starts
      expect(first.status).toBe('cancelled')
      expect(first.step).toBe(1)
      expect(seen).toEqual([1])
      family.dispose(first.nets)
      expect((await loadCheckpoint(join(root, `${name}-split`))).manifest.step).toBe(1)
      const second = await trainBaseline(family, { ...base, io, resume: true })
      expect(second.status).toBe('done')
      family.dispose(second.nets)
      const a = await loadCheckpoint(join(root, `${name}-whole`))
      const b = await loadCheckpoint(join(root, `${name}-split`))
      expect(b.manifest.stage).toBe(family.name)
      expect(Object.keys(b.groups).sort()).toEqual(Object.keys(a.groups).sort())
      for (const [group, ts] of Object.entries(a.groups)) {
        const other = b.groups[group] ?? []
        for (const [i, t] of ts.entries())
          expect(
            Array.from(await (other[i]?.tensor ?? t.tensor).data()),
            `${group}/${t.name}`,
          ).toEqual(Array.from(await t.tensor.data()))
      }
      for (const l of [a, b])
        for (const g of Object.values(l.groups)) tf.dispose(g.map((x) => x.tensor))
    },
    SLOW,
  )

  it(
    'a resume with other settings is refused, naming them',
    async () => {
      const io = folderCheckpointIO(join(root, `${name}-split`))
      await expect(
        trainBaseline(family, {
          config,
          dataset,
          datasetFingerprint: fingerprint,
          size: SIZE,
          steps: 2,
          seed: 5,
          batchSize: 2,
          lr: 0.5,
          io,
          resume: true,
        }),
      ).rejects.toThrow(StepError)
      await expect(
        trainBaseline(family, {
          config,
          dataset,
          datasetFingerprint: fingerprint,
          size: 20, // not a multiple of 8 (BicycleGAN) or 16 (MUNIT)
          steps: 2,
          seed: 5,
          io,
        }),
      ).rejects.toThrow(/size/)
    },
    SLOW,
  )
})
