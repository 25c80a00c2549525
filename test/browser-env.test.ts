/**
 * The browser node environment, exercised in Node (fetch and Blob exist here): a training graph
 * runs entirely in memory — synthetic dataset, stage-1 checkpoints on the shelf — and a second
 * run resumes from the shelf instead of retraining. What the editor's worker does.
 */
import { describe, expect, it } from 'vitest'
import { initBackend } from '../src/runtime/backend.js'
import { browserEnv } from '../src/runtime/env-browser.js'
import type { RunEvent } from '../src/runtime/events.js'
import { GraphExecutor } from '../src/runtime/executor.js'
import { buildPreset, loadPreset } from '../src/runtime/preset.js'
import { CheckpointShelf } from '../src/checkpoint/memory-store.js'

describe('browserEnv', () => {
  it('trains stage 1 on an in-memory synthetic dataset and resumes from the shelf', async () => {
    await initBackend({ prefer: 'wasm' })
    const shelf = new CheckpointShelf()
    const env = browserEnv({ baseUrl: 'http://localhost/presets/', defaultModelUrl: '', shelf })
    const graph = loadPreset(
      buildPreset([
        { id: 1, type: 'step/synth-dataset', widgets: { count: 12, size: 64, seed: 4 } },
        {
          id: 2,
          type: 'step/train-encoder',
          widgets: { steps: 2, batch: 4, features: 'random', every: 1, out: 'enc' },
          inputs: { dataset: [1, 'dataset'] },
        },
      ]),
      'test',
    ).graph
    const steps: number[] = []
    const onEvent = (e: RunEvent) => {
      if (e.type === 'progress' && e.node === 2 && e.figures) steps.push(e.value)
    }
    const r1 = await new GraphExecutor({ env }).run(graph, { onEvent })
    expect(r1.error).toBeNull()
    expect(steps).toEqual([1, 2])
    expect(shelf.checkpoints.get('enc')?.manifest.step).toBe(2)
    expect(shelf.logs.get('enc')).toHaveLength(2)
    steps.length = 0
    const ex2 = new GraphExecutor({ env })
    const r2 = await ex2.run(graph, { onEvent })
    expect(r2.status).toBe('done')
    expect(steps).toEqual([]) // resumed at step 2 of 2: nothing retrained
    ex2.dispose()
  })

  it('re-runs a volatile Webcam node (and what depends on it) on every run, caching the rest', async () => {
    let frames = 0
    const env = browserEnv({
      baseUrl: 'http://localhost/',
      defaultModelUrl: '',
      camera: () => {
        frames++
        return Promise.resolve({ width: 8, height: 8, data: new Uint8Array(192).fill(frames) })
      },
    })
    const graph = loadPreset(
      buildPreset([
        { id: 1, type: 'step/webcam' },
        { id: 2, type: 'step/gaussian-sample' },
        { id: 3, type: 'step/image-grid', inputs: { images: [1, 'image'] } },
      ]),
      'test',
    ).graph
    const ex = new GraphExecutor({ env })
    const ran: number[][] = []
    for (let i = 0; i < 3; i++) ran.push([...(await ex.run(graph)).executed])
    expect(ran).toEqual([
      [1, 2, 3],
      [1, 3],
      [1, 3],
    ])
    expect(frames).toBe(3)
    ex.dispose()
  })

  it('says that dataset folders need the headless runner', async () => {
    const env = browserEnv({ baseUrl: 'http://localhost/', defaultModelUrl: '' })
    await expect(env.openDataset('data/train')).rejects.toThrow(
      "reading the dataset folder 'data/train' is not available in the browser yet; run this graph headless with `step run`",
    )
  })
})
