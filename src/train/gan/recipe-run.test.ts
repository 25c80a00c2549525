/**
 * The trainer under the loss recipes: the recipe and its weights are recorded in the manifest and
 * logged, a resume with another recipe or weight is refused naming it, a checkpoint written before
 * recipes resumes as 'paper', and a NaN in a recipe term stops the run naming it.
 */
import * as tf from '@tensorflow/tfjs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { TrainingDivergedError } from '../../core/errors.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset, type PairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import { createEncoder } from '../../models/encoder.js'
import { createRandomExtractor } from '../../models/features/random.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import { folderCheckpointIO, readManifest } from '../../checkpoint/folder-store.node.js'
import { disposeModels } from './checkpoint.js'
import type { GanLosses } from './gradients.js'
import { trainGenerator, trainingSettings, type Stage2Options } from './train-generator.js'
import { recipeWeights } from './recipe.js'
import { settingDifferences } from '../../checkpoint/resume.js'
import { TINY_GAN_CONFIG } from '../../../test/helpers/tiny-gan.js'

const config = TINY_GAN_CONFIG
const SIZE = 16

let root = ''
let dataset: PairedDataset
let fingerprint = ''
let extractor: FeatureExtractor

beforeAll(async () => {
  await tf.setBackend('cpu')
  root = await mkdtemp(join(tmpdir(), 'step-recipe-'))
  await writeSynthDataset({ out: join(root, 'synth'), count: 12, size: SIZE, seed: 4 })
  dataset = await openPairedDataset(folderStore(join(root, 'synth')), { valFraction: 0.2 })
  fingerprint = await dataset.fingerprint('train')
  extractor = createRandomExtractor({ inputSize: SIZE })
})

function options(name: string, more: Partial<Stage2Options> = {}): Stage2Options {
  return {
    stage: 'generator',
    dataset,
    datasetFingerprint: fingerprint,
    extractor,
    config,
    size: SIZE,
    steps: 2,
    seed: 5,
    io: folderCheckpointIO(join(root, name)),
    init: { encoder: createEncoder(config.encoder, 9) },
    batchSize: 2,
    checkpointEvery: 1,
    recipe: 'paper', // the paper's loss set unless a test names another (the default is 'texture')
    ...more,
  }
}

/** Trains one step of a 2-step run in `name` (cancelled after it: a resumable checkpoint). */
async function firstStep(name: string, more: Partial<Stage2Options> = {}): Promise<void> {
  const controller = new AbortController()
  const r = await trainGenerator(
    options(name, { ...more, signal: controller.signal, onProgress: () => controller.abort() }),
  )
  expect(r.step).toBe(1)
  disposeModels(r.models)
}

async function readLog(name: string): Promise<GanLosses[]> {
  const text = await readFile(join(root, name, 'loss.jsonl'), 'utf8')
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as GanLosses)
}

describe('stage 2 with a loss recipe', () => {
  it('records the recipe and its weights in the manifest and logs every term', async () => {
    const r = await trainGenerator(
      options('texture', { recipe: 'texture', weights: { gram: 2e5 } }),
    )
    disposeModels(r.models)
    const m = await readManifest(join(root, 'texture'))
    expect(m.training.recipe).toBe('texture')
    expect(m.training.weights).toEqual({
      adversarial: 1,
      perceptual: 0.02,
      zReg: 0.01,
      l1: 10,
      gram: 2e5,
      latent: 1,
    })
    for (const l of await readLog('texture')) {
      for (const k of ['g_l1', 'g_gram', 'g_latent'] as const) expect(l[k]).toBeGreaterThan(0)
      const sum = l.g_adv + 0.02 * l.g_percept + 10 * l.g_l1 + 2e5 * l.g_gram + l.g_latent
      expect(l.total).toBeCloseTo(sum, 4)
    }
    // 'paper' logs the terms as 0 and records them as 0
    const p = await trainGenerator(options('paper', { steps: 1 }))
    disposeModels(p.models)
    const [l] = await readLog('paper')
    expect([l?.g_l1, l?.g_gram, l?.g_latent]).toEqual([0, 0, 0])
    expect((await readManifest(join(root, 'paper'))).training).toMatchObject({
      recipe: 'paper',
      weights: { l1: 0, gram: 0, latent: 0 },
    })
  })

  it('refuses to resume with another recipe or weight, naming it', async () => {
    await firstStep('resume', { recipe: 'texture' })
    const refused = (more: Partial<Stage2Options>) =>
      trainGenerator(options('resume', { ...more, resume: true, init: {} }))
    await expect(refused({})).rejects.toThrow(
      `${join(root, 'resume')}: was trained with other settings: recipe "texture" (this run: "paper"), weights.gram 100000 (this run: 0), weights.l1 10 (this run: 0), weights.latent 1 (this run: 0); resume with the same options (or use a new --out)`,
    )
    await expect(refused({ recipe: 'texture', weights: { l1: 5 } })).rejects.toThrow(
      'was trained with other settings: weights.l1 10 (this run: 5); resume',
    )
    const r = await trainGenerator(options('resume', { recipe: 'texture', resume: true, init: {} }))
    expect([r.status, r.step]).toEqual(['done', 2])
    disposeModels(r.models)
  })

  it("defaults to 'texture' with its weights when no recipe is given", () => {
    const t = trainingSettings({ ...options('unused'), recipe: undefined })
    expect(t.recipe).toBe('texture')
    expect(t.weights).toMatchObject(recipeWeights('texture'))
  })

  it('resumes a checkpoint written before recipes as paper', async () => {
    await firstStep('old')
    const file = join(root, 'old', 'manifest.json')
    const m = JSON.parse(await readFile(file, 'utf8')) as {
      training: { recipe?: string; weights: Record<string, number> }
    }
    delete m.training.recipe
    for (const k of ['l1', 'gram', 'latent']) delete m.training.weights[k]
    await writeFile(file, JSON.stringify(m))
    await expect(
      trainGenerator(options('old', { recipe: 'texture', resume: true, init: {} })),
    ).rejects.toThrow('recipe "paper" (this run: "texture")')
    const r = await trainGenerator(options('old', { resume: true, init: {} }))
    expect([r.status, r.step]).toEqual(['done', 2])
    disposeModels(r.models)
  })

  it('refuses bad recipes and weights before building anything', async () => {
    const before = tf.memory().numTensors
    await expect(trainGenerator(options('bad', { recipe: 'fancy' as 'paper' }))).rejects.toThrow(
      'recipe: expected one of paper, texture, got "fancy"',
    )
    await expect(trainGenerator(options('bad', { weights: { latent: -1 } }))).rejects.toThrow(
      'weights.latent: expected a number in [0, 10000], got -1',
    )
    expect(tf.memory().numTensors).toBe(before)
  })

  it('a NaN in a recipe term stops the run naming it, before the weights change', async () => {
    const err = await trainGenerator(
      options('nan', { recipe: 'texture', faults: { nanFrom: { step: 2, loss: 'g_gram' } } }),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TrainingDivergedError)
    expect((err as TrainingDivergedError).quantity).toBe('g_gram')
    expect((err as Error).message).toMatch(
      /loss 'g_gram' became NaN at step 2 .*the last good checkpoint is step 1 \(kept\)$/,
    )
  })

  it('names every differing setting, nested keys dotted', () => {
    expect(
      settingDifferences(
        { steps: 3, recipe: 'paper', weights: { l1: 0, gram: 0 } },
        { steps: 3, recipe: 'paper', weights: { l1: 0, gram: 1 }, lr: 1 },
      ),
    ).toEqual(['lr unset (this run: 1)', 'weights.gram 0 (this run: 1)'])
  })
})
