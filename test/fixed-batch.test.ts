/**
 * Every training stage learns: on one fixed batch, a few optimiser steps lower its loss (stage 1
 * triplet loss, stage 3 joint G + E loss; stage 2 and the mapper are covered beside their code in
 * src/train/gan/train-generator.test.ts and src/train/mapper/train-mapper.test.ts). Tiny networks on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { folderStore } from '../src/data/folder-store.node.js'
import { openPairedDataset } from '../src/data/paired.js'
import { writeSynthDataset } from '../src/data/synth/write.node.js'
import { createDiscriminator } from '../src/models/discriminator.js'
import { createEncoder } from '../src/models/encoder.js'
import { createRandomExtractor } from '../src/models/features/random.js'
import { createGenerator } from '../src/models/generator.js'
import { Adam } from '../src/train/adam.js'
import { disposeModels } from '../src/train/gan/checkpoint.js'
import { PairBatches, pairTensors, type PairTensors } from '../src/train/gan/data.js'
import { GanStep } from '../src/train/gan/step.js'
import { tripletLoss } from '../src/train/encoder/triplet-loss.js'
import { TINY_GAN_CONFIG } from './helpers/tiny-gan.js'

const config = TINY_GAN_CONFIG
const SIZE = 16
let batch: PairTensors

beforeAll(async () => {
  await tf.setBackend('cpu')
  const root = await mkdtemp(join(tmpdir(), 'step-fixed-'))
  await writeSynthDataset({ out: root, count: 12, size: SIZE, seed: 8 })
  const dataset = await openPairedDataset(folderStore(root), { valFraction: 0 })
  batch = pairTensors(
    await new PairBatches(dataset, { batchSize: 6, size: SIZE, seed: 2 }).images(0),
  )
})

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length

describe('on a fixed batch', () => {
  it('stage 1: the triplet loss falls', async () => {
    const encoder = createEncoder(config.encoder, 3)
    const adam = new Adam(encoder.params.list(), { lr: 1e-3, beta1: 0, beta2: 0.99 })
    const [a, p, n] = tf.split<tf.Tensor4D>(batch.output, 3, 0) as [
      tf.Tensor4D,
      tf.Tensor4D,
      tf.Tensor4D,
    ]
    const x = tf.concat([a, p, n])
    const losses: number[] = []
    for (let i = 0; i < 30; i++) {
      const loss = adam.minimize(() => {
        const [za, zp, zn] = tf.split<tf.Tensor2D>(encoder.apply(x), 3, 0)
        return tripletLoss(za as tf.Tensor2D, zp as tf.Tensor2D, zn as tf.Tensor2D).total
      })
      losses.push((await loss.data())[0] ?? NaN)
      loss.dispose()
    }
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(mean(losses.slice(-5))).toBeLessThan(0.5 * mean(losses.slice(0, 5)))
    tf.dispose([a, p, n, x])
    adam.dispose()
    encoder.dispose()
  })

  it('stage 3: the joint G + E loss falls and E moves', async () => {
    const nets = {
      encoder: createEncoder(config.encoder, 1),
      generator: createGenerator(config.generator, 2),
      discriminator: createDiscriminator(config.discriminator, 3),
    }
    const extractor = createRandomExtractor({ inputSize: SIZE })
    const e0 = nets.encoder.params.list().map((v) => v.clone())
    const gan = new GanStep(nets, extractor, {
      trainEncoder: true,
      adam: { lr: 1e-3, beta1: 0, beta2: 0.99 },
    })
    const small = { input: tf.slice(batch.input, 0, 2), output: tf.slice(batch.output, 0, 2) }
    const totals: number[] = []
    for (let i = 0; i < 16; i++) {
      const r = await gan.run(small, 1e-3)
      expect(r.applied).toBe(true)
      expect(Object.values(r.losses).every(Number.isFinite)).toBe(true)
      totals.push(r.losses.total)
    }
    expect(mean(totals.slice(-4))).toBeLessThan(0.85 * mean(totals.slice(0, 4)))
    const moved = nets.encoder.params
      .list()
      .map((v, k) => tf.max(tf.abs(tf.sub(v, e0[k] as tf.Tensor))))
    expect(
      Math.max(...(await Promise.all(moved.map(async (m) => (await m.data())[0] ?? 0)))),
    ).toBeGreaterThan(0)
    tf.dispose([...moved, ...e0, small.input, small.output])
    gan.dispose()
    extractor.dispose()
    disposeModels(nets)
  })
})
