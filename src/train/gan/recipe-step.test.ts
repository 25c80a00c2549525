/**
 * GanStep under the loss recipes: 'paper' is the paper's step exactly (checked against the step as
 * it was before recipes existed, transcribed below), each recipe term changes G's update and
 * nothing else, and the logged terms are the values the recipe-loss functions give.
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
import type { Params } from '../../models/params.js'
import { Adam } from '../adam.js'
import { disposeModels } from './checkpoint.js'
import { PairBatches, pairTensors, type PairTensors } from './data.js'
import {
  GAN_LOSS_WEIGHTS,
  lsganDiscriminatorLoss,
  lsganGeneratorLoss,
  perceptualLoss,
  zRegulariser,
  type GanLossWeights,
} from './losses.js'
import type { GanLosses, GanNetworks } from './gradients.js'
import { GanStep } from './step.js'
import { gramDistance, latentRegression, pixelL1, unitGram } from './recipe-losses.js'
import { recipeWeights } from './recipe.js'
import { TINY_GAN_CONFIG } from '../../../test/helpers/tiny-gan.js'

const config = TINY_GAN_CONFIG
const SIZE = 16
const ADAM = { lr: 1e-3, beta1: 0, beta2: 0.99 }
let extractor: FeatureExtractor
let batches: PairTensors[] = []

beforeAll(async () => {
  await tf.setBackend('cpu')
  const root = await mkdtemp(join(tmpdir(), 'step-recipe-step-'))
  await writeSynthDataset({ out: join(root, 'synth'), count: 16, size: SIZE, seed: 4 })
  const dataset = await openPairedDataset(folderStore(join(root, 'synth')), { valFraction: 0.2 })
  const pairs = new PairBatches(dataset, { batchSize: 2, size: SIZE, seed: 1 })
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

async function values(p: Params): Promise<number[]> {
  return (await Promise.all(p.list().map(async (v) => Array.from(await v.data())))).flat()
}

async function read(s: tf.Scalar): Promise<number> {
  return (await s.data())[0] ?? NaN
}

/** The stage-2/3 step as it was before recipes (the paper's loss set), for comparison. */
async function specStep(n: GanNetworks, trainE: boolean, adam: [Adam, Adam], b: PairTensors) {
  const { encoder, generator, discriminator } = n
  const gVars = [...generator.params.list(), ...(trainE ? encoder.params.list() : [])]
  const target = extractor.extract(b.output)
  const frozenZ = trainE ? null : encoder.apply(b.output)
  const kept: tf.Tensor4D[] = []
  const g = tf.variableGrads(() => {
    const z = frozenZ ?? encoder.apply(b.output)
    const f = generator.apply(b.input, z)
    kept.push(tf.keep(f))
    const adv = lsganGeneratorLoss(discriminator.apply(f, b.input))
    const percept = perceptualLoss(extractor, f, target)
    let total = tf.add(tf.mul(adv, 1), tf.mul(percept, 0.02))
    if (trainE) total = tf.add(total, tf.mul(zRegulariser(z), 0.01))
    return total as tf.Scalar
  }, gVars)
  const fake = kept[0] as tf.Tensor4D
  const d = tf.variableGrads(() => {
    const l = lsganDiscriminatorLoss(
      discriminator.apply(b.output, b.input),
      discriminator.apply(fake, b.input),
    )
    return tf.add<tf.Scalar>(l.real, l.fake)
  }, discriminator.params.list())
  const total = await read(g.value)
  adam[0].apply(gVars.map((v) => g.grads[v.name] as tf.Tensor))
  adam[1].apply(discriminator.params.list().map((v) => d.grads[v.name] as tf.Tensor))
  tf.dispose([g.value, d.value, ...Object.values(g.grads), ...Object.values(d.grads)])
  tf.dispose([...target, fake, ...(frozenZ ? [frozenZ] : [])])
  return total
}

/** Runs GanStep for each batch with `weights`; the networks' values after, and the losses. */
async function runSteps(trainE: boolean, weights: GanLossWeights, steps = batches.length) {
  const n = nets()
  const gan = new GanStep(n, extractor, { trainEncoder: trainE, adam: ADAM, weights })
  const losses: GanLosses[] = []
  for (const b of batches.slice(0, steps)) losses.push((await gan.run(b, ADAM.lr)).losses)
  const after = {
    e: await values(n.encoder.params),
    g: await values(n.generator.params),
    d: await values(n.discriminator.params),
  }
  gan.dispose()
  disposeModels(n)
  return { losses, after }
}

const TEXTURE: GanLossWeights = { ...GAN_LOSS_WEIGHTS, ...recipeWeights('texture') }

describe("GanStep with the 'paper' recipe", () => {
  for (const trainE of [false, true]) {
    it(`is the spec's step exactly (stage ${trainE ? 3 : 2}): same losses, same weights`, async () => {
      const ref = nets()
      const gVars = [...ref.generator.params.list(), ...(trainE ? ref.encoder.params.list() : [])]
      const adam: [Adam, Adam] = [
        new Adam(gVars, ADAM),
        new Adam(ref.discriminator.params.list(), ADAM),
      ]
      const totals: number[] = []
      for (const b of batches) totals.push(await specStep(ref, trainE, adam, b))
      const paper = { ...GAN_LOSS_WEIGHTS, ...recipeWeights('paper') }
      const { losses, after } = await runSteps(trainE, paper)
      expect(losses.map((l) => l.total)).toEqual(totals)
      for (const l of losses) expect([l.g_l1, l.g_gram, l.g_latent]).toEqual([0, 0, 0])
      expect(after.g).toEqual(await values(ref.generator.params))
      expect(after.d).toEqual(await values(ref.discriminator.params))
      expect(after.e).toEqual(await values(ref.encoder.params))
      adam.forEach((a) => a.dispose())
      disposeModels(ref)
    })
  }
})

describe('GanStep with recipe terms', () => {
  it("each term changes G's update and only G's (D's and the frozen E's are unchanged)", async () => {
    const base = await runSteps(false, GAN_LOSS_WEIGHTS, 1)
    for (const term of [{ l1: 10 }, { gram: 1e5 }, { latent: 1 }]) {
      const r = await runSteps(false, { ...GAN_LOSS_WEIGHTS, ...term }, 1)
      const changed = r.after.g.filter((v, i) => v !== base.after.g[i]).length
      expect(changed, JSON.stringify(term)).toBeGreaterThan(0.05 * r.after.g.length)
      expect(r.after.d, JSON.stringify(term)).toEqual(base.after.d)
      expect(r.after.e, JSON.stringify(term)).toEqual(base.after.e)
      expect(r.losses[0]?.g_adv).toBe(base.losses[0]?.g_adv) // same weights before the step
    }
  })

  for (const trainE of [false, true]) {
    it(`logs each unweighted term and their weighted sum (stage ${trainE ? 3 : 2})`, async () => {
      const start = tf.memory().numTensors
      const n = nets()
      const gan = new GanStep(n, extractor, { trainEncoder: trainE, adam: ADAM, weights: TEXTURE })
      for (const b of batches) {
        // the terms at the current weights (after the first step in stage 3, E has moved: the
        // regression must use E's current weights)
        const want = tf.tidy(() => {
          const z = n.encoder.apply(b.output)
          const f = n.generator.apply(b.input, z)
          const grams = extractor.extract(b.output).map((t) => unitGram(t))
          return [
            pixelL1(f, b.output),
            gramDistance(extractor.extract(f), grams),
            latentRegression(n.encoder.apply(f), z),
          ]
        })
        const [l1, gram, latent] = await Promise.all(want.map(read))
        tf.dispose(want)
        const { losses: l, applied } = await gan.run(b, ADAM.lr)
        expect(applied).toBe(true)
        expect(l.g_l1).toBeCloseTo(l1 ?? NaN, 5)
        expect(l.g_gram / (gram ?? NaN)).toBeCloseTo(1, 4)
        expect(l.g_latent).toBeCloseTo(latent ?? NaN, 4)
        const zTerm = trainE ? 0.01 * l.z_reg : 0
        const sum = l.g_adv + 0.02 * l.g_percept + 10 * l.g_l1 + 1e5 * l.g_gram + l.g_latent
        expect(l.total).toBeCloseTo(sum + zTerm, 4)
      }
      gan.dispose() // frees the stage-3 regression copy of E too
      disposeModels(n)
      expect(tf.memory().numTensors).toBe(start)
    })
  }
})
