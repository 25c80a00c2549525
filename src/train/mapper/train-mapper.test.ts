import * as tf from '@tensorflow/tfjs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { StepError } from '../../core/errors.js'
import { createRng } from '../../core/rng.js'
import { stepModelConfig } from '../../models/configs.js'
import { createMapper } from '../../models/mapper.js'
import { Adam } from '../adam.js'
import { folderCheckpointIO, loadCheckpoint } from '../../checkpoint/folder-store.node.js'
import { coverageOf, mapperCoverage, meanCodeOf, trainMapper } from './train-mapper.js'
import { nearestRows } from '../nearest.js'

let dir = ''
beforeAll(async () => {
  await tf.setBackend('cpu')
  dir = await mkdtemp(join(tmpdir(), 'step-imle-'))
})

const Z = 8
const config = stepModelConfig('small', { mapper: { hidden: 32, layers: 2 } })

/**
 * 4 clusters of 12 codes in 8-d, spread 0.1, centres (2, +-1), (4, +-1) on axes 0 and 1: all on
 * one side of the origin, so an untrained mapper (outputs near 0) misses the far two.
 */
function toyCodes(): { codes: Float32Array; labels: number[] } {
  const rng = createRng(11)
  const centres = [
    [2, -1],
    [2, 1],
    [4, -1],
    [4, 1],
  ]
  const codes = new Float32Array(48 * Z)
  const labels: number[] = []
  for (let i = 0; i < 48; i++) {
    const k = i % 4
    labels.push(k)
    for (let d = 0; d < Z; d++) codes[i * Z + d] = (centres[k]?.[d] ?? 0) + 0.1 * rng.normal()
  }
  return { codes, labels }
}

const dataset = { label: 'toy', fingerprint: 'toy-codes', size: 0, count: 48 }

async function mapperWeights(path: string): Promise<number[]> {
  const loaded = await loadCheckpoint(path)
  const out = (
    await Promise.all(
      (loaded.groups.mapper ?? []).map(async (g) => Array.from(await g.tensor.data())),
    )
  ).flat()
  for (const g of Object.values(loaded.groups)) tf.dispose(g.map((x) => x.tensor))
  return out
}

async function lossLog(path: string): Promise<{ step: number; loss: number; imle: number }[]> {
  return (await readFile(join(path, 'loss.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; loss: number; imle: number })
}

describe('exact nearest search', () => {
  it('matches brute force across blocks, ties to the lower index', async () => {
    const rng = createRng(3)
    const q = Float32Array.from({ length: 37 * 3 }, () => rng.normal())
    const r = Float32Array.from({ length: 53 * 3 }, () => rng.normal())
    r.set(r.subarray(0, 3), 3 * 3) // row 3 duplicates row 0
    q.set(r.subarray(0, 3), 0) // query 0 sits on rows 0 and 3
    const got = await nearestRows(q, r, 3, 64) // blocks of 37 x 1: many blocks
    for (let i = 0; i < 37; i++) {
      let best = -1
      let bd = Infinity
      for (let j = 0; j < 53; j++) {
        let d = 0
        for (let k = 0; k < 3; k++) d += ((q[i * 3 + k] ?? 0) - (r[j * 3 + k] ?? 0)) ** 2
        if (d < bd) [best, bd] = [j, d]
      }
      expect(got.index[i]).toBe(best)
      expect(got.distance[i]).toBeCloseTo(bd, 10)
    }
    expect(got.index[0]).toBe(0)
    expect(got.distance[0]).toBe(0)
  })
})

describe('IMLE mapper', () => {
  it('learns to cover every cluster; the IMLE objective falls; logs and checkpoints', async () => {
    const { codes, labels } = toyCodes()
    const share = (c: { sampleClusters: number[] }) =>
      [0, 1, 2, 3].map((k) => c.sampleClusters.filter((x) => x === k).length / 2048)
    const before = createMapper(config.mapper, 5)
    const cov0 = await mapperCoverage(before, codes, labels, { samples: 64, seed: 9 })
    const mass0 = await mapperCoverage(before, codes, labels, { samples: 2048, seed: 9 })
    // Params and Adam keep their initial-value tensors alive (a leak outside this file):
    // measure it so that the check below catches only what training itself leaks.
    before.dispose()
    let tensors = tf.memory().numTensors
    const probe = createMapper(config.mapper, 5)
    new Adam(probe.params.list(), { lr: 1, beta1: 0, beta2: 0 }).dispose()
    probe.dispose()
    const constructionLeak = tf.memory().numTensors - tensors
    tensors = tf.memory().numTensors
    const out = join(dir, 'train')
    const seen: number[] = []
    const r = await trainMapper({
      codes,
      config,
      dataset,
      seed: 5,
      io: folderCheckpointIO(out),
      epochs: 60,
      batchSize: 8,
      checkpointEvery: 20,
      onProgress: (p) => seen.push(p.epoch),
    })
    expect(r.status).toBe('done')
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
    const cov = await mapperCoverage(r.mapper, codes, labels, { samples: 64, seed: 9 })
    const mass = await mapperCoverage(r.mapper, codes, labels, { samples: 2048, seed: 9 })
    r.mapper.dispose()
    expect(tf.memory().numTensors - tensors).toBe(constructionLeak) // training leaks nothing
    // Untrained, M(e) sits near the origin: 64 samples miss cluster 3, 2048 nearly never reach
    // clusters 2 and 3. Trained: 64 samples hit all four, and each far cluster holds > 2 % of
    // the mass (IMLE spreads mass slowly: 60 epochs ~3 % / 6 %, 200 epochs ~8 % each).
    expect(cov0.clustersMissed).toEqual([3])
    expect(cov.clustersMissed).toEqual([])
    expect(cov.clustersHit).toEqual([0, 1, 2, 3])
    expect(share(mass0)[3]).toBe(0)
    for (const s of share(mass)) expect(s).toBeGreaterThan(0.02)
    expect(cov.imleObjective).toBeLessThan(0.2 * cov0.imleObjective)
    expect(mass.imleObjective).toBeLessThan(0.1 * mass0.imleObjective)
    expect(cov.meanNearestDistance).toBeLessThan(0.5 * cov0.meanNearestDistance)
    const log = await lossLog(out)
    expect(log.map((l) => l.step)).toEqual(seen)
    expect(log[59]?.loss).toBeLessThan(0.1 * (log[0]?.loss ?? 0))
    expect(log[59]?.imle).toBeLessThan(0.1 * (log[0]?.imle ?? 0)) // refreshed at epoch 55 vs 0
    const ck = await loadCheckpoint(out)
    expect(ck.manifest.stage).toBe('mapper')
    expect(ck.manifest.step).toBe(60)
    expect(Object.keys(ck.groups).sort()).toEqual(['imle', 'mapper', 'optimizer', 'style'])
    const mean = await ck.groups.style?.[0]?.tensor.data()
    expect(Array.from(mean ?? [])).toEqual(Array.from(meanCodeOf(codes, Z)))
    for (const g of Object.values(ck.groups)) tf.dispose(g.map((x) => x.tensor))
  })

  it('cancel saves the last epoch; resume equals an uninterrupted run bit for bit', async () => {
    const { codes } = toyCodes()
    const base = { codes, config, dataset, seed: 2, epochs: 12, batchSize: 16, checkpointEvery: 4 }
    const full = join(dir, 'full')
    const r = await trainMapper({ ...base, io: folderCheckpointIO(full) })
    r.mapper.dispose()
    const split = join(dir, 'split')
    const controller = new AbortController()
    const first = await trainMapper({
      ...base,
      io: folderCheckpointIO(split),
      signal: controller.signal,
      onProgress: (p) => p.epoch === 7 && controller.abort(), // mid-staleness: pairing is saved
    })
    expect(first.status).toBe('cancelled')
    expect(first.epoch).toBe(7)
    first.mapper.dispose()
    const saved = await loadCheckpoint(split)
    expect(saved.manifest.step).toBe(7)
    for (const g of Object.values(saved.groups)) tf.dispose(g.map((x) => x.tensor))
    const second = await trainMapper({ ...base, io: folderCheckpointIO(split), resume: true })
    expect(second.status).toBe('done')
    second.mapper.dispose()
    expect(await mapperWeights(split)).toEqual(await mapperWeights(full))
    const noTime = (log: object[]) => log.map((l) => ({ ...l, seconds: 0 }))
    expect(noTime(await lossLog(split))).toEqual(noTime(await lossLog(full)))
  })

  it('saves extra groups; refuses other codes on resume, NaN codes; stops on a NaN loss naming the epoch', async () => {
    const { codes } = toyCodes()
    const out = join(dir, 'guards')
    const base = { config, dataset, seed: 1, epochs: 2, batchSize: 16, io: folderCheckpointIO(out) }
    const extra = tf.tensor1d([1, 2, 3])
    ;(
      await trainMapper({
        ...base,
        codes,
        extraGroups: { encoder: [{ name: 'w', tensor: extra }] },
      })
    ).mapper.dispose()
    const ck = await loadCheckpoint(out)
    expect(Array.from((await ck.groups.encoder?.[0]?.tensor.data()) ?? [])).toEqual([1, 2, 3])
    for (const g of Object.values(ck.groups)) tf.dispose(g.map((x) => x.tensor))
    extra.dispose()
    const other = codes.map((v) => v + 1)
    await expect(trainMapper({ ...base, codes: other, resume: true })).rejects.toThrow(
      'was trained on different style codes',
    )
    const nan = codes.slice()
    nan[8 * 3 + 2] = NaN
    await expect(trainMapper({ ...base, codes: nan })).rejects.toThrow(
      'code 3 has a non-finite value (NaN)',
    )
    const err = await trainMapper({
      ...base,
      codes,
      io: folderCheckpointIO(join(dir, 'nan')),
      lr: 1e30,
      epochs: 5,
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StepError)
    expect((err as StepError).code).toBe('train/nan')
    expect((err as Error).message).toMatch(
      /mapper: loss 'loss' became (NaN|-?Infinity) at epoch \d \(loss .*\); nothing computed from it was saved; no checkpoint was saved yet$/,
    )
  })
})

describe('coverage', () => {
  it('names the clusters each sample lands in and the mean nearest distance', async () => {
    const codes = Float32Array.from([0, 0, 10, 0, 0, 10])
    const samples = Float32Array.from([1, 0, 9, 0])
    const c = await coverageOf(samples, codes, [7, 8, 9], 2)
    expect(c.sampleClusters).toEqual([7, 8])
    expect(c.clustersHit).toEqual([7, 8])
    expect(c.clustersMissed).toEqual([9])
    // nearest squared distances: 1, 1, (1^2 + 10^2) = 101
    expect(c.imleObjective).toBeCloseTo(103 / 3, 10)
    expect(c.meanNearestDistance).toBeCloseTo((2 + Math.sqrt(101)) / 3, 10)
  })
})
