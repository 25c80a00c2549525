/**
 * Node's shard pool: real worker threads (each with a 1-thread wasm backend) compute shards of a
 * stage-2 step, and the step equals the whole-batch step on this thread's wasm backend.
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDiscriminator } from '../models/discriminator.js'
import { createEncoder } from '../models/encoder.js'
import { loadFeatureExtractor, type FeatureExtractor } from '../models/features/index.js'
import { createGenerator } from '../models/generator.js'
import { GAN_LOSS_NAMES, type GanNetworks } from '../train/gan/gradients.js'
import { GAN_LOSS_WEIGHTS } from '../train/gan/losses.js'
import type { ShardSpec } from '../train/gan/shards.js'
import { GanStep } from '../train/gan/step.js'
import { initBackend } from './backend.js'
import { startShardPool } from './shard-pool.node.js'
import { TINY_GAN_CONFIG } from '../../test/helpers/tiny-gan.js'

const config = TINY_GAN_CONFIG
const SIZE = 16
const ADAM = { lr: 2e-3, beta1: 0, beta2: 0.99 }
const FEATURES = { inputSize: SIZE, seed: 3 }
let extractor: FeatureExtractor

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', threads: 1 })
  extractor = await loadFeatureExtractor('random', FEATURES)
})
afterAll(() => extractor.dispose())

function nets(): GanNetworks {
  return {
    encoder: createEncoder(config.encoder, 1),
    generator: createGenerator(config.generator, 2),
    discriminator: createDiscriminator(config.discriminator, 3),
  }
}

const spec = (): ShardSpec => ({
  config,
  features: 'random',
  featureOptions: FEATURES,
  fingerprint: extractor.fingerprint,
  trainEncoder: false,
  weights: GAN_LOSS_WEIGHTS,
})

describe('startShardPool (worker threads)', () => {
  it('splits a stage-2 step over a worker and matches the whole-batch step', async () => {
    const pool = await startShardPool(1, spec())
    const whole = nets()
    const split = nets()
    const a = new GanStep(whole, extractor, { trainEncoder: false, adam: ADAM })
    const b = new GanStep(split, extractor, { trainEncoder: false, adam: ADAM, shards: pool })
    const batch = {
      input: tf.randomUniform<tf.Rank.R4>([8, SIZE, SIZE, 3], -1, 1, 'float32', 5),
      output: tf.randomUniform<tf.Rank.R4>([8, SIZE, SIZE, 3], -1, 1, 'float32', 6),
    }
    try {
      for (let i = 0; i < 2; i++) {
        const [ra, rb] = [await a.run(batch, ADAM.lr), await b.run(batch, ADAM.lr)]
        for (const k of GAN_LOSS_NAMES) {
          const scale = Math.max(Math.abs(ra.losses[k]), 1e-6)
          expect(Math.abs(rb.losses[k] - ra.losses[k]) / scale).toBeLessThan(1e-4)
        }
      }
      const read = async (n: GanNetworks) =>
        (await n.generator.params.list()[0]?.data()) ?? new Float32Array(0)
      const [wa, wb] = [await read(whole), await read(split)]
      expect(wa.length).toBeGreaterThan(0)
      expect(Math.max(...wa.map((v, i) => Math.abs(v - (wb[i] ?? NaN))))).toBeLessThan(1e-4)
    } finally {
      tf.dispose([batch.input, batch.output])
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

  it('refuses to start a worker whose features differ from the run’s, naming the worker', async () => {
    await expect(startShardPool(1, { ...spec(), fingerprint: 'not-this' })).rejects.toThrow(
      /shard worker 1.*could not start: the worker's features/,
    )
  })

  it('refuses a pool size that is not a positive integer', async () => {
    await expect(startShardPool(0, spec())).rejects.toThrow(/size must be an integer >= 1/)
  })
})
