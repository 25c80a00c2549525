/**
 * Long runs keep tfjs memory flat: 1,000 Generate calls, 100 graph runs that really execute
 * (a widget changes every run) and a 500-step training run. After a warm-up, tf.memory()'s
 * numTensors and numBytes are sampled at intervals and must equal the first sample EXACTLY: every
 * loop iteration frees all it made, so any difference is a leak (no bound is needed; the run is
 * deterministic and tfjs counts tensors, not allocator pages). Sizes keep each test well under
 * 60 s on wasm; measured on a 2-core machine with a training job on the other core: 1,000
 * Generate calls 23-28 s (per-call op overhead dominates: 16 px took as long as 32 px), 100 graph
 * runs 8-11 s, 500 mapper steps 5-7 s.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../src/core/rng.js'
import { stepModelConfig } from '../src/models/configs.js'
import { initBackend } from '../src/runtime/backend.js'
import { DEFAULT_MODEL, folderEnv } from '../src/runtime/env.node.js'
import type { RunEvent } from '../src/runtime/events.js'
import { GraphExecutor } from '../src/runtime/executor.js'
import { buildPreset, loadPreset } from '../src/runtime/preset.js'
import { loadCheckpoint } from '../src/checkpoint/folder-store.node.js'
import { CheckpointShelf } from '../src/checkpoint/memory-store.js'
import { trainMapper } from '../src/train/mapper/train-mapper.js'
import { generate, type StepModel } from '../src/inference/model.js'
import { disposeModel, modelFromCheckpoint } from '../src/inference/load.js'

let out = ''
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' })
  out = mkdtempSync(join(tmpdir(), 'step-memory-'))
})
afterAll(() => rmSync(out, { recursive: true, force: true }))

interface Sample {
  readonly at: number
  readonly numTensors: number
  readonly numBytes: number
}
const sample = (at: number): Sample => {
  const { numTensors, numBytes } = tf.memory()
  return { at, numTensors, numBytes }
}

/** Every sample equals the first (same tensors, same bytes): no growth, no trend. */
function expectFlat(samples: readonly Sample[], count: number): void {
  expect(samples.length).toBe(count)
  const first = samples[0] as Sample
  expect(first.numTensors).toBeGreaterThan(0)
  expect(samples.map((s) => [s.numTensors, s.numBytes])).toEqual(
    samples.map(() => [first.numTensors, first.numBytes]),
  )
}

describe('memory stays flat over long runs (wasm)', () => {
  it('1,000 Generate calls with the shipped model (content [1, 32, 32, 3], one code)', async () => {
    const model: StepModel = await modelFromCheckpoint(
      await loadCheckpoint(DEFAULT_MODEL),
      DEFAULT_MODEL,
    )
    const rng = createRng(4)
    const content = tf.tensor4d(
      Float32Array.from({ length: 32 * 32 * 3 }, () => rng.uniform(-1, 1)),
      [1, 32, 32, 3],
    )
    const samples: Sample[] = []
    let first = 0
    let last = 0
    try {
      for (let i = 0; i < 1000; i++) {
        const z = tf.tensor2d([Array.from({ length: 8 }, (_, k) => Math.sin(i + k))])
        const image = generate(model, content, z)
        if (i === 0) first = (await image.data())[0] ?? NaN
        if (i === 999) last = (await image.data())[0] ?? NaN
        expect(image.shape).toEqual([1, 32, 32, 3])
        tf.dispose([z, image])
        if (i % 100 === 99) samples.push(sample(i + 1)) // warm-up: the first 99 calls
      }
      expectFlat(samples, 10)
      // real outputs that depend on the code: tanh range, and different codes give different images
      expect(Math.abs(first)).toBeLessThan(1)
      expect(first).not.toBe(last)
    } finally {
      content.dispose()
      disposeModel(model)
    }
  })

  it('100 graph runs through the executor, each with a changed seed so Generate executes', async () => {
    const graph = (seed: number) =>
      loadPreset(
        buildPreset([
          { id: 1, type: 'step/load-model', widgets: { path: 'default' } },
          { id: 2, type: 'step/gaussian-sample', widgets: { count: 2, zDim: 8, seed } },
          { id: 3, type: 'step/mapper', inputs: { noise: [2, 'noise'], mapper: [1, 'model'] } },
          { id: 4, type: 'step/load-image', widgets: { path: '../images/content-1.png' } },
          {
            id: 5,
            type: 'step/generate',
            inputs: { content: [4, 'image'], style: [3, 'style'], generator: [1, 'model'] },
          },
          {
            id: 6,
            type: 'step/image-grid',
            widgets: { columns: 2 },
            inputs: { images: [5, 'images'] },
          },
          { id: 7, type: 'step/preview-image', inputs: { images: [6, 'image'] } },
        ]),
        'memory',
      ).graph
    const before = tf.memory().numTensors
    const ex = new GraphExecutor({
      env: folderEnv({ inputDir: 'examples/presets', outputDir: out }),
    })
    const samples: Sample[] = []
    const previews: number[] = []
    try {
      await ex.run(graph(0)) // warm-up: loads the model and the image once
      for (let i = 1; i <= 100; i++) {
        let shown = 0
        const r = await ex.run(graph(i), {
          onEvent: (e: RunEvent) => {
            if (e.type === 'preview') shown += e.images.length
          },
        })
        expect(r.status).toBe('done')
        expect(r.executed).toEqual([2, 3, 5, 6, 7])
        expect(r.cached).toEqual([1, 4])
        previews.push(shown)
        if (i % 10 === 0) samples.push(sample(i))
      }
      expectFlat(samples, 10)
      expect(previews).toEqual(Array.from({ length: 100 }, () => 1))
      expect(ex.cacheStats().entries).toBe(7)
    } finally {
      ex.dispose()
    }
    expect(tf.memory().numTensors).toBe(before)
  })

  it('a 500-step mapper training run (64 codes, batch 64: one step per epoch)', async () => {
    const rng = createRng(9)
    // 4 clusters of 16 codes around (+-2, +-2, 0, ...), spread 0.1
    const codes = Float32Array.from(
      { length: 64 * 8 },
      (_, j) =>
        (j % 8 === 0 ? 2 : j % 8 === 1 ? -2 : 0) * (Math.floor(j / 8) % 4 < 2 ? 1 : -1) +
        0.1 * rng.normal(),
    )
    const config = stepModelConfig('small', { mapper: { hidden: 32, layers: 2 } })
    const samples: Sample[] = []
    const losses: number[] = []
    const r = await trainMapper({
      codes,
      config,
      dataset: { label: 'memory', fingerprint: 'memory-codes', size: 0, count: 64 },
      seed: 3,
      io: new CheckpointShelf().io('memory/mapper'),
      epochs: 500,
      batchSize: 64,
      checkpointEvery: 50,
      onProgress: (p) => {
        losses.push(p.loss)
        // sampled at the same phase of the 5-epoch pairing refresh, after a 50-step warm-up
        if (p.epoch % 50 === 0) samples.push(sample(p.epoch))
      },
    })
    try {
      expect(r).toMatchObject({ status: 'done', epoch: 500 })
      expect(losses).toHaveLength(500)
      expectFlat(samples.slice(1), 9)
      // it trained: the last 50 steps' mean loss is well below the first 50 steps'
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
      console.log(
        `[memory] mapper loss: first 50 steps ${mean(losses.slice(0, 50)).toFixed(4)}, last 50 ${mean(losses.slice(-50)).toFixed(4)}`,
      )
      expect(mean(losses.slice(-50))).toBeLessThan(0.5 * mean(losses.slice(0, 50)))
    } finally {
      r.mapper.dispose()
    }
  })
})
