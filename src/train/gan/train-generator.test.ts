import * as tf from '@tensorflow/tfjs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { OutOfMemoryError, StepError, TrainingDivergedError } from '../../core/errors.js'
import { decodeImage } from '../../core/image/decode.js'
import { crop } from '../../core/image/resize.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset, type PairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { createDiscriminator } from '../../models/discriminator.js'
import { createEncoder } from '../../models/encoder.js'
import { createRandomExtractor } from '../../models/features/random.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import { createGenerator } from '../../models/generator.js'
import type { Params } from '../../models/params.js'
import { preparedCount } from '../../models/prepared.js'
import {
  folderCheckpointIO,
  loadCheckpoint,
  readManifest,
  samplePath,
} from '../../checkpoint/folder-store.node.js'
import { disposeModels, ganInitFromCheckpoint } from './checkpoint.js'
import { PairBatches, pairTensors, samplePairs } from './data.js'
import type { GanLosses } from './gradients.js'
import { GanStep } from './step.js'
import { trainGenerator, type Stage2Options } from './train-generator.js'
import { TINY_GAN_CONFIG } from '../../../test/helpers/tiny-gan.js'

const config = TINY_GAN_CONFIG
const SIZE = 16

let root = ''
let dataset: PairedDataset
let fingerprint = ''
let extractor: FeatureExtractor

beforeAll(async () => {
  await tf.setBackend('cpu')
  root = await mkdtemp(join(tmpdir(), 'step-stage2-'))
  await writeSynthDataset({ out: join(root, 'synth'), count: 16, size: SIZE, seed: 4 })
  dataset = await openPairedDataset(folderStore(join(root, 'synth')), { valFraction: 0.2 })
  fingerprint = await dataset.fingerprint('train')
  extractor = createRandomExtractor({ inputSize: SIZE })
})

/** Options of a small run writing to `root`/`name`. */
function options(name: string, more: Partial<Stage2Options> = {}): Stage2Options {
  return {
    stage: 'generator',
    dataset,
    datasetFingerprint: fingerprint,
    extractor,
    config,
    size: SIZE,
    steps: 3,
    seed: 5,
    io: folderCheckpointIO(join(root, name)),
    batchSize: 2,
    checkpointEvery: 2,
    recipe: 'paper', // these tests check the paper's loss set (the default is 'texture')
    ...more,
  }
}

async function values(p: Params): Promise<number[]> {
  return (await Promise.all(p.list().map(async (v) => Array.from(await v.data())))).flat()
}

/** Every group of the checkpoint in `root`/`name` as flat numbers. */
async function groups(name: string): Promise<Record<string, number[]>> {
  const loaded = await loadCheckpoint(join(root, name))
  const out: Record<string, number[]> = {}
  for (const [group, ts] of Object.entries(loaded.groups)) {
    out[group] = (await Promise.all(ts.map(async (t) => Array.from(await t.tensor.data())))).flat()
    tf.dispose(ts.map((t) => t.tensor))
  }
  return out
}

async function readLog(name: string): Promise<(GanLosses & { step: number; lr: number })[]> {
  const text = await readFile(join(root, name, 'loss.jsonl'), 'utf8')
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as GanLosses & { step: number; lr: number })
}

describe('stage 2 trainer', () => {
  it('trains from a stage-1 E (frozen): logs, sample sheets, checkpoints, no leaks', async () => {
    const before = tf.memory().numTensors
    const encoder = createEncoder(config.encoder, 9)
    const e0 = await values(encoder.params)
    const seen: number[] = []
    const r = await trainGenerator(
      options('s2', {
        init: { encoder },
        decayFraction: 1,
        sampleEvery: 2,
        sampleCount: 3,
        onProgress: (p) => {
          seen.push(p.step)
          expect(p.stage).toBe('generator')
          expect(p.imagesPerSecond).toBeGreaterThan(0)
          expect(p.etaSeconds).toBeGreaterThanOrEqual(0)
        },
      }),
    )
    expect(r.status).toBe('done')
    expect(r.step).toBe(3)
    expect(seen).toEqual([1, 2, 3])
    expect(r.models.encoder).toBe(encoder) // taken over, trained in place, handed back
    expect(r.models.emaEncoder).toBeNull()
    expect(await values(encoder.params)).toEqual(e0) // E frozen
    const g = await values(r.models.generator.params)
    expect(await values(r.models.emaGenerator.params)).not.toEqual(g)
    disposeModels(r.models)
    expect(tf.memory().numTensors).toBe(before)

    const log = await readLog('s2')
    expect(log.map((l) => l.step)).toEqual([1, 2, 3])
    for (const l of log) {
      for (const k of ['g_adv', 'g_percept', 'z_reg', 'd_real', 'd_fake', 'total'] as const)
        expect(Number.isFinite(l[k]) && l[k] > 0).toBe(true)
      expect(l.total).toBeCloseTo(l.g_adv + 0.02 * l.g_percept, 6) // z_reg is inert in stage 2
    }
    // decay over all 3 steps: lr * 3/3, 2/3, 1/3
    log.forEach((l, i) => expect(l.lr).toBeCloseTo((1e-3 * (3 - i)) / 3, 12))

    const saved = await loadCheckpoint(join(root, 's2'))
    expect(saved.manifest.stage).toBe('generator')
    expect(saved.manifest.step).toBe(3)
    expect(saved.manifest.config).toEqual(config)
    expect(Object.keys(saved.groups).sort()).toEqual(
      [
        'discriminator',
        'encoder',
        'ema_generator',
        'generator',
        'optimizer_d',
        'optimizer_g',
      ].sort(),
    )
    for (const ts of Object.values(saved.groups)) tf.dispose(ts.map((t) => t.tensor))
    expect((await groups('s2')).generator).toEqual(g)

    // sheets at steps 2 and 3: 3 columns (fixed val pairs) x rows A, B, G(A, E(B)), 2 px gaps
    const [inputs, outputs] = await samplePairs(dataset, 3, SIZE)
    for (const step of [2, 3]) {
      const sheet = decodeImage(await readFile(samplePath(join(root, 's2'), step)))
      expect([sheet.width, sheet.height]).toEqual([3 * SIZE + 8, 3 * SIZE + 8])
      expect(crop(sheet, 2, 2, SIZE, SIZE).data).toEqual(inputs[0]?.data)
      expect(crop(sheet, 2 + SIZE + 2, 2 + SIZE + 2, SIZE, SIZE).data).toEqual(outputs[1]?.data)
      const fake = crop(sheet, 2, 2 + 2 * (SIZE + 2), SIZE, SIZE).data
      expect(fake).not.toEqual(outputs[0]?.data)
    }
  })

  it('on a fixed batch the G and D losses decrease (E frozen: z_reg constant)', async () => {
    const nets = {
      encoder: createEncoder(config.encoder, 1),
      generator: createGenerator(config.generator, 2),
      discriminator: createDiscriminator(config.discriminator, 3),
    }
    const before = tf.memory().numTensors
    const gan = new GanStep(nets, extractor, {
      trainEncoder: false,
      adam: { lr: 1e-3, beta1: 0, beta2: 0.99 },
    })
    const batches = new PairBatches(dataset, { batchSize: 2, size: SIZE, seed: 1 })
    const batch = pairTensors(await batches.images(0))
    const losses: GanLosses[] = []
    for (let i = 0; i < 16; i++) {
      const r = await gan.run(batch, 1e-3)
      expect(r.applied).toBe(true)
      losses.push(r.losses)
    }
    const mean = (xs: GanLosses[], f: (l: GanLosses) => number) =>
      xs.reduce((s, l) => s + f(l), 0) / xs.length
    const [first, last] = [losses.slice(0, 4), losses.slice(-4)]
    expect(mean(last, (l) => l.total)).toBeLessThan(0.85 * mean(first, (l) => l.total))
    expect(mean(last, (l) => l.d_real + l.d_fake)).toBeLessThan(
      0.85 * mean(first, (l) => l.d_real + l.d_fake),
    )
    expect(new Set(losses.map((l) => l.z_reg)).size).toBe(1)
    gan.dispose()
    tf.dispose([batch.input, batch.output])
    // held: the frozen E's prepared weights (it runs outside the tape), nothing else
    const held = preparedCount(nets.encoder.params.list())
    expect(held).toBeGreaterThan(0)
    expect(tf.memory().numTensors).toBe(before + held)
    disposeModels(nets)
  })

  it('stage 3 from a stage-2 checkpoint: E trains, the z regulariser counts, E is averaged', async () => {
    const s2 = await trainGenerator(
      options('s3-from', { steps: 1, init: { encoder: createEncoder(config.encoder, 9) } }),
    )
    disposeModels(s2.models)
    const before = tf.memory().numTensors
    const { init } = ganInitFromCheckpoint(await loadCheckpoint(join(root, 's3-from')), 'test')
    const e0 = await values(init.encoder?.params as Params)
    const r = await trainGenerator(options('s3', { stage: 'finetune', steps: 2, init }))
    expect(r.status).toBe('done')
    const e1 = await values(r.models.encoder.params)
    expect(e1).not.toEqual(e0)
    expect(await values(r.models.emaEncoder?.params as Params)).not.toEqual(e1)
    disposeModels(r.models)
    expect(tf.memory().numTensors).toBe(before)
    for (const l of await readLog('s3'))
      expect(l.total).toBeCloseTo(l.g_adv + 0.02 * l.g_percept + 0.01 * l.z_reg, 6)
    const saved = await groups('s3')
    expect(Object.keys(saved)).toContain('ema_encoder')
    expect(saved.encoder).toEqual(e1)
    const manifest = JSON.parse(await readFile(join(root, 's3', 'manifest.json'), 'utf8')) as {
      stage: string
    }
    expect(manifest.stage).toBe('finetune')
    // a fresh stage 3 needs G; resuming a run of another stage is refused
    await expect(
      trainGenerator(options('s3-bad', { stage: 'finetune', init: {} })),
    ).rejects.toThrow("stage 'finetune' starts from the stage-2 weights: pass init.encoder")
    await expect(trainGenerator(options('s3', { resume: true, init: {} }))).rejects.toThrow(
      "holds a 'finetune' checkpoint, not 'generator'",
    )
    await expect(trainGenerator(options('s3-bad', { size: 20 }))).rejects.toThrow(
      'size: expected a multiple of 8, at least 16 for this config, got 20',
    )
    expect(tf.memory().numTensors).toBe(before)
  })

  it('a cancelled run resumed from its checkpoint equals an uninterrupted one, bit for bit', async () => {
    const base = { steps: 4, checkpointEvery: 2 }
    const full = await trainGenerator(
      options('full', { ...base, init: { encoder: createEncoder(config.encoder, 9) } }),
    )
    disposeModels(full.models)

    const controller = new AbortController()
    const first = await trainGenerator(
      options('split', {
        ...base,
        init: { encoder: createEncoder(config.encoder, 9) },
        signal: controller.signal,
        onProgress: (p) => p.step === 1 && controller.abort(),
      }),
    )
    expect(first.status).toBe('cancelled')
    expect(first.step).toBe(1)
    disposeModels(first.models)
    expect((await loadCheckpoint(join(root, 'split'))).manifest.step).toBe(1) // cancel saved
    // resuming with other settings is refused, naming them (the checkpoint is left alone)
    for (const other of [{ steps: 5 }, { lr: 2e-3 }, { weights: { perceptual: 1 } }]) {
      await expect(
        trainGenerator(options('split', { ...base, ...other, resume: true })),
      ).rejects.toMatchObject({ code: 'checkpoint/training' })
    }
    const second = await trainGenerator(options('split', { ...base, resume: true }))
    expect(second.status).toBe('done')
    expect(second.step).toBe(4)
    disposeModels(second.models)

    const [a, b] = [await groups('full'), await groups('split')]
    expect(Object.keys(b)).toEqual(Object.keys(a))
    for (const k of Object.keys(a)) expect(b[k], k).toEqual(a[k])
    expect(await readLog('split')).toEqual(
      (await readLog('full')).map((l) => ({
        ...l,
        seconds: expect.any(Number) as number,
        imagesPerSecond: expect.any(Number) as number,
      })),
    )
  })

  it('a NaN loss stops the run with a StepError and leaves the last good checkpoint', async () => {
    let poison = false
    const poisoned: FeatureExtractor = {
      ...extractor,
      extract: (x) => {
        const out = extractor.extract(x)
        if (!poison) return out
        const bad = out.map((t) => tf.mul<tf.Tensor4D>(t, NaN))
        tf.dispose(out)
        return bad
      },
    }
    const before = tf.memory().numTensors
    const err = await trainGenerator(
      options('nan', {
        steps: 4,
        extractor: poisoned,
        init: { encoder: createEncoder(config.encoder, 9) },
        onProgress: (p) => (poison = p.step === 2),
      }),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StepError)
    expect((err as StepError).code).toBe('train/nan')
    expect((err as Error).message).toMatch(
      /stage 2 \(generator\): loss 'g_percept' became NaN at step 3 \(.*\); the weights were not updated; the last good checkpoint is step 2 \(kept\)$/,
    )
    expect(tf.memory().numTensors).toBe(before) // the networks were disposed
    const saved = await loadCheckpoint(join(root, 'nan'))
    expect(saved.manifest.step).toBe(2)
    for (const ts of Object.values(saved.groups)) {
      for (const t of ts)
        expect(Array.from(await t.tensor.data()).every(Number.isFinite)).toBe(true)
      tf.dispose(ts.map((t) => t.tensor))
    }
    expect((await readLog('nan')).map((l) => l.step)).toEqual([1, 2])
  })

  it('a forced NaN in d_fake stops the run at that step naming it; checkpoint 2 is intact', async () => {
    const saves: number[] = []
    const io = folderCheckpointIO(join(root, 'f-nan'))
    const err = await trainGenerator(
      options('f-nan', {
        steps: 4,
        init: { encoder: createEncoder(config.encoder, 9) },
        io: { ...io, save: (d, g) => (saves.push(d.step), io.save(d, g)) },
        faults: { nanFrom: { step: 3, loss: 'd_fake' } },
      }),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TrainingDivergedError)
    expect((err as TrainingDivergedError).quantity).toBe('d_fake')
    expect((err as Error).message).toMatch(
      /stage 2 \(generator\): loss 'd_fake' became NaN at step 3 \(g_adv [-0-9.e]+, .*d_fake NaN, total [-0-9.e]+\); the weights were not updated; the last good checkpoint is step 2 \(kept\)$/,
    )
    expect(saves).toEqual([2])
    expect((await readManifest(join(root, 'f-nan'))).step).toBe(2)
    const kept = await groups('f-nan') // every file checked against its checksum
    expect(Object.values(kept).flat().every(Number.isFinite)).toBe(true)
  })

  it('an allocation failure stops with the backend and half the batch size', async () => {
    const err = await trainGenerator(
      options('oom', {
        init: { encoder: createEncoder(config.encoder, 9) },
        faults: { throwAt: { step: 1, error: new Error('Failed to allocate 268435456 bytes') } },
      }),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OutOfMemoryError)
    expect((err as Error).message).toBe(
      `${join(root, 'oom')}: stage 2 (generator) ran out of memory at step 1 on the 'cpu' backend (Failed to allocate 268435456 bytes); try batch size 1 (it is 2); no checkpoint was saved yet`,
    )
  })
})
