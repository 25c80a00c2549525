import * as tf from '@tensorflow/tfjs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { OutOfMemoryError, TrainingDivergedError } from '../core/errors.js'
import { createRng } from '../core/rng.js'
import { folderStore } from '../data/folder-store.node.js'
import { openPairedDataset } from '../data/paired.js'
import { writeSynthDataset } from '../data/synth/write.node.js'
import { stepModelConfig } from '../models/configs.js'
import { createRandomExtractor } from '../models/features/random.js'
import type { CheckpointIO, CheckpointManifest } from '../checkpoint/format.js'
import {
  folderCheckpointIO,
  hasCheckpoint,
  loadCheckpoint,
  readManifest,
} from '../checkpoint/folder-store.node.js'
import { encodeAll } from './eval/encoder-precision.js'
import { trainMapper } from './mapper/train-mapper.js'
import { createEncoder } from '../models/encoder.js'
import { trainEncoder, type Stage1Options } from './encoder/train-encoder.js'
import { StyleImages } from './style-images.js'
import { finiteWeightsIO, isOutOfMemory } from './train-faults.js'

let root = ''
let stage1: Omit<Stage1Options, 'io'>
beforeAll(async () => {
  await tf.setBackend('cpu')
  root = await mkdtemp(join(tmpdir(), 'step-faults-'))
  await writeSynthDataset({ out: join(root, 'synth'), count: 24, size: 16, seed: 4 })
  const dataset = await openPairedDataset(folderStore(join(root, 'synth')), { valFraction: 0 })
  stage1 = {
    images: new StyleImages(dataset, 'train', 16),
    datasetFingerprint: await dataset.fingerprint('train'),
    extractor: createRandomExtractor({ inputSize: 16 }),
    config: stepModelConfig('small', { encoder: { width: 4 } }),
    steps: 6,
    seed: 3,
    batchSize: 4,
    checkpointEvery: 2,
    mining: 'exact',
  }
})

/** A folder store that remembers the manifest of every save. */
function recording(dir: string): { io: CheckpointIO; saves: CheckpointManifest[] } {
  const io = folderCheckpointIO(dir)
  const saves: CheckpointManifest[] = []
  return {
    saves,
    io: {
      ...io,
      save: async (draft, groups) => {
        const m = await io.save(draft, groups)
        saves.push(m)
        return m
      },
    },
  }
}

/** Loads `dir` (every file checked against its SHA-256) and returns all values, all finite. */
async function finiteValues(dir: string): Promise<number[]> {
  const loaded = await loadCheckpoint(dir)
  const out: number[] = []
  for (const g of Object.values(loaded.groups)) {
    for (const t of g) out.push(...(await t.tensor.data()))
    tf.dispose(g.map((x) => x.tensor))
  }
  expect(out.every(Number.isFinite)).toBe(true)
  return out
}

async function logSteps(dir: string): Promise<number[]> {
  const text = await readFile(join(dir, 'loss.jsonl'), 'utf8')
  return text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { step: number }).step)
}

describe('a forced NaN stops the run keeping the last good checkpoint', () => {
  it('stage 1: names the stage, the step and the loss; checkpoint 2 is what was saved', async () => {
    const dir = join(root, 's1-nan')
    const { io, saves } = recording(dir)
    const before = tf.memory().numTensors
    const err = await trainEncoder({
      ...stage1,
      io,
      faults: { nanFrom: { step: 3, loss: 'triplet' } },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TrainingDivergedError)
    const e = err as TrainingDivergedError
    expect(e.message).toMatch(
      new RegExp(
        `^${dir}: stage 1 \\(encoder\\): loss 'triplet' became NaN at step 3 \\(loss NaN, triplet NaN, l2 [0-9.e-]+\\); nothing computed from it was saved; the last good checkpoint is step 2 \\(kept\\)$`,
      ),
    )
    expect([e.code, e.stage, e.step, e.quantity, e.lastGoodStep]).toEqual([
      'train/nan',
      'encoder',
      3,
      'triplet',
      2,
    ])
    expect(tf.memory().numTensors).toBe(before) // the encoder was disposed
    expect(saves.map((m) => m.step)).toEqual([2])
    expect(await readManifest(dir)).toEqual(saves[0]) // the same files, checksums verified below
    const kept = await finiteValues(dir)
    // and equal to an uninterrupted 2-step run's checkpoint
    const ref = join(root, 's1-ref')
    const r = await trainEncoder({ ...stage1, steps: 2, io: folderCheckpointIO(ref) })
    r.encoder.dispose()
    expect(kept).toEqual(await finiteValues(ref))
    expect(await logSteps(dir)).toEqual([1, 2])
  })

  it('mapper: names the epoch and the loss; epoch 2 is what was saved', async () => {
    const rng = createRng(5)
    const codes = Float32Array.from({ length: 24 * 8 }, () => rng.normal())
    const dir = join(root, 'm-nan')
    const { io, saves } = recording(dir)
    const err = await trainMapper({
      codes,
      config: stepModelConfig('small', { mapper: { hidden: 16, layers: 2 } }),
      dataset: { label: 'toy', fingerprint: 'toy', size: 0, count: 24 },
      seed: 1,
      io,
      epochs: 6,
      batchSize: 8,
      checkpointEvery: 2,
      faults: { nanFrom: { step: 3, loss: 'loss' } },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TrainingDivergedError)
    expect((err as Error).message).toBe(
      `${dir}: mapper: loss 'loss' became NaN at epoch 3 (loss NaN); nothing computed from it was saved; the last good checkpoint is epoch 2 (kept)`,
    )
    expect(saves.map((m) => m.step)).toEqual([2])
    expect(await readManifest(dir)).toEqual(saves[0])
    expect((await finiteValues(dir)).length).toBeGreaterThan(0)
  })

  it('a save of non-finite weights is refused naming the tensor; the folder keeps the old one', async () => {
    const dir = join(root, 'weights')
    let last: number | null = null
    const io = finiteWeightsIO(folderCheckpointIO(dir), () => last)
    const draft = (step: number) => ({
      stage: 'generator' as const,
      step,
      steps: 9,
      seed: 1,
      config: {},
      dataset: { label: 'd', fingerprint: 'f', size: 8, count: 1 },
      extractor: null,
      training: {},
    })
    const good = tf.tensor1d([1, 2])
    const bad = tf.tensor1d([1, Infinity])
    await io.save(draft(4), { generator: [{ name: 'conv1/w', tensor: good }] })
    last = 4
    const err = await io
      .save(draft(5), {
        generator: [
          { name: 'conv0/w', tensor: good },
          { name: 'conv1/w', tensor: bad },
        ],
      })
      .catch((e: unknown) => e)
    tf.dispose([good, bad])
    expect(err).toBeInstanceOf(TrainingDivergedError)
    expect((err as Error).message).toBe(
      `${dir}: stage 2 (generator): weights 'generator/conv1/w' hold NaN or Inf at step 5; the checkpoint was not saved; the last good checkpoint is step 4 (kept)`,
    )
    expect((await readManifest(dir)).step).toBe(4)
    expect(await finiteValues(dir)).toEqual([1, 2])
  })
})

describe('out of memory', () => {
  it('recognises the backends’ allocation failures and nothing else', () => {
    for (const m of [
      'Failed to allocate 67108864 bytes',
      'WebAssembly.Memory.grow(): Maximum memory size exceeded',
      'Cannot enlarge memory arrays to size 2147483648 bytes (OOM)',
      'Array buffer allocation failed',
      'WebGL context lost.',
      'GPUOutOfMemoryError: out of memory',
    ])
      expect([m, isOutOfMemory(new RangeError(m))]).toEqual([m, true])
    for (const m of ['Maximum call stack size exceeded', 'conv2d: shapes do not match'])
      expect([m, isOutOfMemory(new Error(m))]).toEqual([m, false])
  })

  it('stage 1: an allocation failure names the backend, the step and half the batch', async () => {
    const dir = join(root, 's1-oom')
    const err = await trainEncoder({
      ...stage1,
      io: folderCheckpointIO(dir),
      faults: { throwAt: { step: 3, error: new RangeError('Array buffer allocation failed') } },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OutOfMemoryError)
    const e = err as OutOfMemoryError
    expect(e.message).toBe(
      `${dir}: stage 1 (encoder) ran out of memory at step 3 on the 'cpu' backend (Array buffer allocation failed); try batch size 2 (it is 4); the last good checkpoint is step 2 (kept)`,
    )
    expect([e.code, e.backend, e.batchSize, e.suggestedBatchSize]).toEqual([
      'train/out-of-memory',
      'cpu',
      4,
      2,
    ])
    expect((await readManifest(dir)).step).toBe(2)
    const other = new Error('conv2d: shapes do not match')
    await expect(
      trainEncoder({
        ...stage1,
        io: folderCheckpointIO(join(root, 's1-other')),
        faults: { throwAt: { step: 1, error: other } },
      }),
    ).rejects.toBe(other) // other failures pass through unchanged
  })
})

describe('cancel', () => {
  it('arrives within one batch while mining and while encoding codes for the mapper', async () => {
    const controller = new AbortController()
    const seen: string[] = []
    const dir = join(root, 'mining-cancel')
    const err = await trainEncoder({
      ...stage1,
      io: folderCheckpointIO(dir),
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(`${p.phase} ${p.step}`)
        if (p.phase === 'features' && p.step > 0) controller.abort()
      },
    }).catch((e: unknown) => e)
    expect((err as Error).name).toBe('AbortError')
    expect(seen.filter((s) => s.startsWith('features') && !s.endsWith(' 0'))).toHaveLength(1)
    expect(seen.some((s) => s.startsWith('train'))).toBe(false)
    expect(await hasCheckpoint(dir)).toBe(false)

    const encoder = createEncoder(stage1.config.encoder, 1)
    const images = stage1.images
    const codes = new AbortController()
    let batches = 0
    const counted = Object.create(images) as typeof images
    counted.batch = async (idx) => {
      batches++
      if (batches === 2) codes.abort()
      return images.batch(idx)
    }
    const e2 = await encodeAll(encoder, counted, 4, undefined, codes.signal).catch(
      (e: unknown) => e,
    )
    encoder.dispose()
    expect((e2 as Error).name).toBe('AbortError')
    expect(batches).toBe(2) // 24 images in batches of 4: stopped after the second of six
  })
})
