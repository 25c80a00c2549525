/**
 * Data-parallel gradients (gan/shards.ts): which samples each shard gets, and that a step split
 * over shards equals the whole-batch step up to float summation order. The pool here computes its
 * shards in this thread on replica networks, so every part but the thread transport
 * (runtime/shard-pool.node.test.ts) is checked on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { createDiscriminator } from '../../models/discriminator.js'
import { createEncoder } from '../../models/encoder.js'
import { createRandomExtractor } from '../../models/features/random.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import { createGenerator } from '../../models/generator.js'
import { PairBatches, pairTensors, type PairTensors } from './data.js'
import { GradientComputer, GAN_LOSS_NAMES, type GanNetworks } from './gradients.js'
import { GAN_LOSS_WEIGHTS, type GanLossWeights } from './losses.js'
import { computeShard, shardPlan, type ShardPool } from './shards.js'
import { GanStep } from './step.js'
import { recipeWeights } from './recipe.js'
import { TINY_GAN_CONFIG } from '../../../test/helpers/tiny-gan.js'

const config = TINY_GAN_CONFIG
const SIZE = 16
const ADAM = { lr: 2e-3, beta1: 0, beta2: 0.99 }
const TEXTURE: GanLossWeights = { ...GAN_LOSS_WEIGHTS, ...recipeWeights('texture') }
let extractor: FeatureExtractor
let batches: PairTensors[] = []

beforeAll(async () => {
  await tf.setBackend('cpu')
  const root = await mkdtemp(join(tmpdir(), 'step-shards-'))
  await writeSynthDataset({ out: join(root, 'synth'), count: 20, size: SIZE, seed: 9 })
  const dataset = await openPairedDataset(folderStore(join(root, 'synth')), { valFraction: 0 })
  const pairs = new PairBatches(dataset, { batchSize: 8, size: SIZE, seed: 2 })
  batches = [pairTensors(await pairs.images(0)), pairTensors(await pairs.images(1))]
  extractor = createRandomExtractor({ inputSize: SIZE })
})

/** The same seeded networks every call. */
function nets(): GanNetworks {
  return {
    encoder: createEncoder(config.encoder, 1),
    generator: createGenerator(config.generator, 2),
    discriminator: createDiscriminator(config.discriminator, 3),
  }
}

/** A pool of `size` replicas (differently seeded: the jobs' weights must overwrite them). */
function replicaPool(size: number, trainEncoder: boolean, weights: GanLossWeights) {
  const replicas = Array.from({ length: size }, (_, i) => {
    const n = {
      encoder: createEncoder(config.encoder, 10 + i),
      generator: createGenerator(config.generator, 20 + i),
      discriminator: createDiscriminator(config.discriminator, 30 + i),
    }
    return new GradientComputer(n, extractor, { trainEncoder, weights })
  })
  const jobs: number[] = []
  const pool: ShardPool = {
    size,
    compute: (i, job) => {
      jobs.push(job.shape[0])
      const r = replicas[i]
      if (!r) throw new Error(`no replica ${i}`)
      return computeShard(r, job)
    },
    dispose: () => {
      for (const r of replicas) {
        r.dispose()
        r.nets.encoder.dispose()
        r.nets.generator.dispose()
        r.nets.discriminator.dispose()
      }
      return Promise.resolve()
    },
  }
  return { pool, jobs }
}

async function weightsOf(n: GanNetworks): Promise<number[]> {
  const all = [n.generator, n.encoder, n.discriminator].flatMap((m) => m.params.list())
  return (await Promise.all(all.map(async (v) => Array.from(await v.data())))).flat()
}

describe('shardPlan', () => {
  it('gives each shard whole minibatch-stddev columns, samples in batch order', () => {
    expect(shardPlan(8, 2, 4)).toEqual([
      [0, 2, 4, 6],
      [1, 3, 5, 7],
    ])
    expect(shardPlan(16, 2, 4)).toEqual([
      [0, 2, 4, 6, 8, 10, 12, 14],
      [1, 3, 5, 7, 9, 11, 13, 15],
    ])
    expect(shardPlan(16, 4, 4)).toEqual([
      [0, 4, 8, 12],
      [1, 5, 9, 13],
      [2, 6, 10, 14],
      [3, 7, 11, 15],
    ])
    // 6 samples: groups of 3 (the largest divisor of 6 not above 4), 2 columns
    expect(shardPlan(6, 2, 4)).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ])
  })

  it('refuses a split that would cut a group or leave a shard empty', () => {
    expect(shardPlan(4, 2, 4)).toBeNull() // one group of 4
    expect(shardPlan(8, 4, 4)).toBeNull() // 2 columns over 4 shards
    expect(shardPlan(8, 1, 4)).toBeNull()
    expect(shardPlan(1, 2, 4)).toBeNull()
    expect(shardPlan(4, 2, 1)).toEqual([
      [0, 2],
      [1, 3],
    ])
  })
})

describe('a step split over shards', () => {
  for (const [label, trainEncoder, weights] of [
    ['stage 2, paper recipe', false, GAN_LOSS_WEIGHTS],
    ['stage 3, texture recipe', true, TEXTURE],
  ] as const) {
    it(`equals the whole-batch step: ${label}, two steps`, async () => {
      const whole = nets()
      const split = nets()
      const options = { trainEncoder, adam: ADAM, weights }
      const { pool, jobs } = replicaPool(1, trainEncoder, weights)
      const a = new GanStep(whole, extractor, options)
      const b = new GanStep(split, extractor, { ...options, shards: pool })
      try {
        for (const batch of batches) {
          const ra = await a.run(batch, ADAM.lr)
          const rb = await b.run(batch, ADAM.lr)
          expect(ra.applied && rb.applied).toBe(true)
          for (const k of GAN_LOSS_NAMES) {
            const scale = Math.max(Math.abs(ra.losses[k]), 1e-6)
            expect(Math.abs(rb.losses[k] - ra.losses[k]) / scale).toBeLessThan(1e-4)
          }
        }
        expect(jobs).toEqual([4, 4]) // one shard of 4 per step went to the pool
        const [wa, wb] = [await weightsOf(whole), await weightsOf(split)]
        const diff = Math.max(...wa.map((v, i) => Math.abs(v - (wb[i] ?? NaN))))
        // float32 summation order differs; Adam (beta1 0) divides by sqrt(v), which magnifies
        // the differences of near-zero gradients: tolerance 1e-4, 5 % of one step of lr 2e-3
        expect(diff).toBeLessThan(1e-4)
        // the weights moved (a test that compared untouched weights would pass trivially)
        const start = await weightsOf(nets())
        expect(Math.max(...wa.map((v, i) => Math.abs(v - (start[i] ?? NaN))))).toBeGreaterThan(1e-4)
      } finally {
        a.dispose()
        b.dispose()
        await pool.dispose()
        for (const n of [whole, split]) {
          n.encoder.dispose()
          n.generator.dispose()
          n.discriminator.dispose()
        }
      }
    })
  }

  it('runs the whole batch here when it does not split', async () => {
    const n = nets()
    const { pool, jobs } = replicaPool(1, false, GAN_LOSS_WEIGHTS)
    const step = new GanStep(n, extractor, { trainEncoder: false, adam: ADAM, shards: pool })
    const small = {
      input: tf.slice(batches[0]?.input ?? tf.zeros<tf.Rank.R4>([8, SIZE, SIZE, 3]), 0, 4),
      output: tf.slice(batches[0]?.output ?? tf.zeros<tf.Rank.R4>([8, SIZE, SIZE, 3]), 0, 4),
    }
    try {
      const r = await step.run(small, ADAM.lr)
      expect(r.applied).toBe(true)
      expect(jobs).toEqual([]) // a batch of 4 is one minibatch-stddev group
    } finally {
      tf.dispose([small.input, small.output])
      step.dispose()
      await pool.dispose()
      n.encoder.dispose()
      n.generator.dispose()
      n.discriminator.dispose()
    }
  })
})
