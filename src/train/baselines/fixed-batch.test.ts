import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset, type PairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { TINY_BICYCLEGAN, TINY_MUNIT } from '../../models/baselines/tiny.js'
import { Adam } from '../adam.js'
import { PairBatches, pairTensors } from '../gan/data.js'
import { BICYCLEGAN, MUNIT } from './families.js'
import type { BaselineFamily } from './trainer.js'

// wasm: a dozen steps take seconds there, minutes on cpu (the resume tests run on cpu)
const SIZE = 16
let dataset: PairedDataset

beforeAll(async () => {
  await tf.setBackend('wasm')
  const root = await mkdtemp(join(tmpdir(), 'step-baselines-fixed-'))
  await writeSynthDataset({ out: join(root, 'synth'), count: 4, size: SIZE, seed: 4 })
  dataset = await openPairedDataset(folderStore(join(root, 'synth')), { valFraction: 0 })
})

type AnyFamily = BaselineFamily<unknown, unknown, unknown, Record<string, number>>
const cases: [string, AnyFamily, unknown, string][] = [
  ['BicycleGAN', BICYCLEGAN, TINY_BICYCLEGAN, 'l1'],
  ['MUNIT', MUNIT, TINY_MUNIT, 'rec_image'],
]

describe.each(cases)('%s on a fixed batch', (_name, family, config, reconstruction) => {
  it('reports every loss, finite, and its G-side and D-side losses fall on a fixed batch', async () => {
    const nets = family.build(config, 7)
    const vars = family.vars(nets)
    const adamG = new Adam(vars.g, { lr: 2e-3, beta1: 0.5, beta2: 0.999 })
    const adamD = new Adam(vars.d, { lr: 2e-3, beta1: 0.5, beta2: 0.999 })
    const batches = new PairBatches(dataset, { batchSize: 2, size: SIZE, seed: 1 })
    const batch = pairTensors(await batches.images(0))
    const before = tf.memory().numTensors
    const history: Record<string, number>[] = []
    for (let i = 0; i < 12; i++) {
      // the same noise every step (step 0): a fixed batch in every sense
      const r = await family.gradients(nets, batch, family.weights, 3, 0)
      adamG.apply(r.g)
      adamD.apply(r.d)
      tf.dispose([...r.g, ...r.d])
      history.push(r.losses)
    }
    expect(tf.memory().numTensors).toBe(before) // nothing leaks per step
    for (const l of history) for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true)
    const mean = (xs: Record<string, number>[], k: string) =>
      xs.reduce((s, l) => s + (l[k] ?? NaN), 0) / xs.length
    const [first, last] = [history.slice(0, 3), history.slice(-3)]
    // the reconstruction (weight 10) falls steadily; measured over 12 steps: MUNIT 1.35 -> 1.22
    expect(mean(last, reconstruction)).toBeLessThan(0.95 * mean(first, reconstruction))
    expect(mean(last, 'total')).toBeLessThan(0.9 * mean(first, 'total'))
    const d = (xs: Record<string, number>[]) => mean(xs, 'd_real') + mean(xs, 'd_fake')
    expect(d(last)).toBeLessThan(0.9 * d(first))
    tf.dispose([batch.input, batch.output])
    adamG.dispose()
    adamD.dispose()
    family.dispose(nets)
  }, 300_000)
})
