import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { folderStore } from '../data/folder-store.node.js'
import { openPairedDataset } from '../data/paired.js'
import { writeSynthDataset } from '../data/synth/write.node.js'
import { stepModelConfig } from '../models/configs.js'
import { createEncoder } from '../models/encoder.js'
import { folderCheckpointIO, loadCheckpoint } from '../checkpoint/folder-store.node.js'
import { RECIPE_NAMES, RECIPE_TERMS } from '../train/gan/recipe.js'
import type { ExecuteContext } from './define.js'
import type { NodeEnv } from './env.js'
import type { CheckpointHandle, DatasetHandle } from './sockets.js'
import {
  RECIPE_WIDGETS,
  fineTuneNode,
  recipeOverrides,
  trainGeneratorNode,
} from './train-generator.js'
import { checkWidget } from './widgets.js'

const SIZE = 16

/** An environment with checkpoints under `dir` (all a training node uses here). */
function checkpointEnv(dir: string): NodeEnv {
  const unused = () => Promise.reject(new Error('not used by this test'))
  return {
    label: 'test',
    readBytes: unused,
    writeOutput: unused,
    openDataset: unused,
    writeSynthDataset: unused,
    checkpointIO: (p) => folderCheckpointIO(join(dir, p)),
    checkpointPath: (p) => join(dir, p),
    loadCheckpoint: (p) => loadCheckpoint(join(dir, p)),
    neighbourCache: () => undefined,
  }
}
let ctx: ExecuteContext
let out = ''
let dataset: DatasetHandle
const from: CheckpointHandle = { path: 'enc', stage: 'encoder', step: 1 }

beforeAll(async () => {
  await tf.setBackend('cpu')
  out = mkdtempSync(join(tmpdir(), 'step-train-gen-node-'))
  await writeSynthDataset({ out: join(out, 'synth'), count: 10, size: SIZE, seed: 4 })
  const data = await openPairedDataset(folderStore(join(out, 'synth')), { valFraction: 0.2 })
  dataset = { dataset: data, path: join(out, 'synth'), size: SIZE }
  ctx = {
    nodeId: 3,
    title: 'Train Generator',
    signal: new AbortController().signal,
    env: checkpointEnv(out),
    progress: () => undefined,
    preview: () => undefined,
    log: () => undefined,
    provenance: () => ({ 'step-preset': '{"test":1}' }),
  }
  // a stage-1 checkpoint of a tiny encoder to start from
  const config = stepModelConfig('small', {
    encoder: { width: 4, zDim: 2 },
    generator: { zDim: 2, width: 4, encoderResBlocks: 1, decoderResBlocks: 1 },
    discriminator: { width: 4, scales: 1 },
    mapper: { zDim: 2 },
  })
  const encoder = createEncoder(config.encoder, 9)
  await ctx.env.checkpointIO('enc').save(
    {
      stage: 'encoder',
      step: 1,
      steps: 1,
      seed: 9,
      config,
      dataset: { label: 'synth', fingerprint: 'x', size: SIZE, count: 8 },
      extractor: null,
      training: {},
    },
    { encoder: encoder.params.entries().map(([name, tensor]) => ({ name, tensor })) },
  )
  encoder.dispose()
})

describe('Train Generator / Fine-Tune: recipe widgets', () => {
  it('come from the recipe declarations: the recipe, and each weight (-1: from the recipe)', () => {
    expect(RECIPE_WIDGETS.recipe).toMatchObject({ kind: 'combo', default: 'texture' })
    expect(RECIPE_WIDGETS.recipe.options).toEqual(RECIPE_NAMES)
    for (const t of RECIPE_TERMS) {
      expect(RECIPE_WIDGETS[t.name]).toMatchObject({
        kind: 'float',
        default: -1,
        min: -1,
        max: t.max,
      })
      expect(RECIPE_WIDGETS[t.name].description).toContain('(paper 0, texture ')
      for (const node of [trainGeneratorNode, fineTuneNode])
        expect(node.widgets[t.name]).toEqual(RECIPE_WIDGETS[t.name])
    }
    expect(checkWidget(RECIPE_WIDGETS.recipe, 'fancy')).toEqual({
      ok: false,
      problem: { kind: 'widget-option', message: 'expected one of paper, texture, got "fancy"' },
    })
    expect(checkWidget(RECIPE_WIDGETS.l1, 2e4)).toMatchObject({ ok: false })
    expect(recipeOverrides({ l1: -1, gram: 0, latent: 2.5 })).toEqual({ gram: 0, latent: 2.5 })
  })

  it('train with the chosen recipe and weights, recorded in the checkpoint', async () => {
    const defaults = Object.fromEntries(
      Object.entries(trainGeneratorNode.widgets).map(([k, w]) => [k, w.default]),
    )
    const widgets = {
      ...defaults,
      steps: 1,
      batch: 2,
      size: SIZE,
      features: 'random',
      out: 'gen',
      recipe: 'texture',
      latent: 0,
    }
    const r = await trainGeneratorNode.execute({ dataset, from }, widgets, ctx)
    expect(r).toMatchObject({ checkpoint: { stage: 'generator', step: 1 } })
    const manifest = JSON.parse(readFileSync(join(out, 'gen', 'manifest.json'), 'utf8')) as {
      training: { recipe: string; weights: Record<string, number> }
    }
    expect(manifest.training.recipe).toBe('texture')
    expect(manifest.training.weights).toMatchObject({ l1: 10, gram: 1e5, latent: 0 })
    const log = JSON.parse(readFileSync(join(out, 'gen', 'loss.jsonl'), 'utf8')) as Record<
      string,
      number
    >
    expect(log.g_l1).toBeGreaterThan(0)
    expect(log.g_gram).toBeGreaterThan(0)
    expect(log.g_latent).toBe(0)
  })
})
