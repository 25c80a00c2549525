import * as tf from '@tensorflow/tfjs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { InputError } from '../../core/errors.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { stepModelConfig } from '../../models/configs.js'
import { createRandomExtractor } from '../../models/features/random.js'
import { Adam } from '../adam.js'
import { folderCheckpointIO, loadCheckpoint } from '../../checkpoint/folder-store.node.js'
import { trainEncoder } from './train-encoder.js'
import { StyleImages } from '../style-images.js'
import { batchContrastLoss } from './batch-contrast-loss.js'
import { tripletLoss } from './triplet-loss.js'

let data = ''
beforeAll(async () => {
  await tf.setBackend('cpu')
  data = await mkdtemp(join(tmpdir(), 'step-stage1-'))
  await writeSynthDataset({ out: join(data, 'synth'), count: 24, size: 16, seed: 4 })
})

const config = stepModelConfig('small', { encoder: { width: 4 } })

async function setup() {
  const dataset = await openPairedDataset(folderStore(join(data, 'synth')), { valFraction: 0 })
  const images = new StyleImages(dataset, 'train', 16)
  return {
    images,
    fingerprint: await dataset.fingerprint('train'),
    extractor: createRandomExtractor({ inputSize: 16 }),
  }
}

async function weights(dir: string): Promise<number[]> {
  const loaded = await loadCheckpoint(dir)
  const out = (
    await Promise.all(
      (loaded.groups.encoder ?? []).map(async (g) => Array.from(await g.tensor.data())),
    )
  ).flat()
  for (const g of Object.values(loaded.groups)) tf.dispose(g.map((x) => x.tensor))
  return out
}

describe('triplet loss', () => {
  it('matches the formula of the paper (docs/method.md, stage 1) on hand-made codes', async () => {
    const za = tf.tensor2d([
      [0, 0],
      [1, 0],
    ])
    const zp = tf.tensor2d([
      [0.1, 0],
      [1, 0],
    ])
    const zn = tf.tensor2d([
      [0.2, 0],
      [3, 0],
    ])
    const l = tripletLoss(za, zp, zn, 0.1, 0.01)
    // row 0: 0.01 - 0.04 + 0.1 = 0.07; row 1: 0 - 4 + 0.1 < 0 -> 0; mean 0.035
    expect((await l.triplet.data())[0]).toBeCloseTo(0.035, 6)
    // mean(za^2) = 0.25, mean(zp^2) = (0.01 + 1) / 4, mean(zn^2) = (0.04 + 9) / 4
    const l2 = 0.25 + 1.01 / 4 + 9.04 / 4
    expect((await l.l2.data())[0]).toBeCloseTo(l2, 5)
    expect((await l.total.data())[0]).toBeCloseTo(0.035 + 0.01 * l2, 6)
    tf.dispose([za, zp, zn, l.total, l.triplet, l.l2])
  })
})

describe('Adam', () => {
  it('follows tfjs Adam on the same problem', async () => {
    const target = tf.tensor1d([1, -2, 3])
    const a = tf.variable(tf.zeros([3]))
    const b = tf.variable(tf.zeros([3]))
    const ours = new Adam([a], { lr: 0.1, beta1: 0.5, beta2: 0.99 })
    const ref = tf.train.adam(0.1, 0.5, 0.99, 1e-8)
    const f = (x: tf.Variable) => () => tf.sum<tf.Scalar>(tf.square(tf.sub(x, target)))
    for (let i = 0; i < 6; i++) {
      ours.minimize(f(a)).dispose()
      ref.minimize(f(b), false, [b])
    }
    const [va, vb] = [await a.data(), await b.data()]
    for (let i = 0; i < 3; i++) expect(va[i]).toBeCloseTo(vb[i] ?? NaN, 5)
    expect(va[0]).toBeGreaterThan(0.3)
    expect(ours.t).toBe(6)
    ours.dispose()
    ref.dispose()
    tf.dispose([target, a, b])
  })
})

describe('batch-contrastive loss', () => {
  it('matches its formula on hand-made codes (anchor excluded, positive as target)', async () => {
    const za = tf.tensor2d([[0], [1]])
    const zp = tf.tensor2d([[0.5], [1]])
    const zn = tf.tensor2d([[2], [0]])
    const l = batchContrastLoss(za, zp, zn, 0.01, 1)
    // Z = [0, 1, 0.5, 1, 2, 0]; logits = -(za_i - Z_j)^2 without j = i; targets j = 2 and j = 3
    const e = Math.exp
    const row0 = 0.25 + Math.log(e(-1) + e(-0.25) + e(-1) + e(-4) + e(0))
    const row1 = 0 + Math.log(e(-1) + e(-0.25) + e(0) + e(-1) + e(-1))
    expect((await l.triplet.data())[0]).toBeCloseTo((row0 + row1) / 2, 5)
    const l2 = (0 + 1 + 0.25 + 1 + 4 + 0) / 6
    expect((await l.l2.data())[0]).toBeCloseTo(l2, 6)
    expect((await l.total.data())[0]).toBeCloseTo((row0 + row1) / 2 + 0.01 * l2, 5)
    // the temperature divides the distances: at 1e-3 the loss is ~0 once each positive is
    // strictly the nearest other code, and large when it is not
    const near = tf.tensor2d([[0.1], [1.2]])
    const far = tf.tensor2d([[2], [-3]])
    const sharp = batchContrastLoss(za, near, far, 0, 1e-3)
    expect((await sharp.total.data())[0]).toBeLessThan(1e-6)
    const wrong = batchContrastLoss(za, far, near, 0, 1e-3)
    expect((await wrong.total.data())[0]).toBeGreaterThan(100)
    tf.dispose([za, zp, zn, near, far, l.total, l.triplet, l.l2])
    tf.dispose([sharp.total, sharp.triplet, sharp.l2, wrong.total, wrong.triplet, wrong.l2])
  })
})

describe('stage 1 trainer', () => {
  it('trains, logs, checkpoints; a cancelled + resumed run equals an uninterrupted one exactly', async () => {
    const s = await setup()
    const base = {
      images: s.images,
      datasetFingerprint: s.fingerprint,
      extractor: s.extractor,
      config,
      steps: 6,
      seed: 3,
      batchSize: 4,
      checkpointEvery: 2,
      mining: 'exact' as const,
    }
    const full = join(data, 'full')
    const r = await trainEncoder({ ...base, io: folderCheckpointIO(full) })
    expect(r.status).toBe('done')
    expect(r.step).toBe(6)
    r.encoder.dispose()
    const log = (await readFile(join(full, 'loss.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; loss: number })
    expect(log.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6])
    for (const l of log) expect(Number.isFinite(l.loss) && l.loss > 0).toBe(true)

    const split = join(data, 'split')
    const controller = new AbortController()
    const first = await trainEncoder({
      ...base,
      io: folderCheckpointIO(split),
      signal: controller.signal,
      onProgress: (p) => p.phase === 'train' && p.step === 3 && controller.abort(),
    })
    expect(first.status).toBe('cancelled')
    expect(first.step).toBe(3)
    first.encoder.dispose()
    const saved = await loadCheckpoint(split)
    expect(saved.manifest.step).toBe(3) // cancel saved the finished step
    for (const g of Object.values(saved.groups)) tf.dispose(g.map((x) => x.tensor))
    const second = await trainEncoder({ ...base, io: folderCheckpointIO(split), resume: true })
    expect(second.status).toBe('done')
    second.encoder.dispose()
    expect(await weights(split)).toEqual(await weights(full))
    const resumedLog = (await readFile(join(split, 'loss.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; loss: number })
    expect(resumedLog.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6])
    expect(resumedLog.map((l) => l.loss)).toEqual(log.map((l) => l.loss))
  })

  it('refuses to resume a checkpoint trained on other data, and reports corrupt weights', async () => {
    const s = await setup()
    const dir = join(data, 'other')
    const r = await trainEncoder({
      images: s.images,
      datasetFingerprint: s.fingerprint,
      extractor: s.extractor,
      config,
      steps: 1,
      seed: 1,
      batchSize: 4,
      io: folderCheckpointIO(dir),
      mining: 'exact',
    })
    r.encoder.dispose()
    await expect(
      trainEncoder({
        images: s.images,
        datasetFingerprint: 'different',
        extractor: s.extractor,
        config,
        steps: 2,
        seed: 1,
        batchSize: 4,
        io: folderCheckpointIO(dir),
        resume: true,
      }),
    ).rejects.toThrow(
      `${dir}: was trained on a different dataset (fingerprints differ); use a new --out`,
    )
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      weights: { encoder: { file: string } }
    }
    await writeFile(join(dir, manifest.weights.encoder.file), new Uint8Array(10))
    const err = await loadCheckpoint(dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as Error).message).toMatch(
      /weights file encoder-0000001-[0-9a-f]{12}\.bin has 10 bytes, its manifest says \d+/,
    )
  })
})
