import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { folderEnv } from './env.node.js'
import type { RunEvent } from './events.js'
import { GraphExecutor } from './executor.js'
import type { Graph } from './graph.js'
import { GraphValidationError } from './graph-errors.js'
import { buildPreset, loadPreset, type NodeDraft } from './preset.js'

const PRESETS = resolve('examples/presets')
let out: string

beforeAll(async () => {
  await tf.setBackend('cpu')
  out = mkdtempSync(join(tmpdir(), 'step-exec-'))
})
afterAll(() => rmSync(out, { recursive: true, force: true }))

/** Model -> noise -> mapper -> strength, plus a content image and an encode branch. */
function graphOf(seed: number | string = 3, strength = 1): Graph {
  const drafts: NodeDraft[] = [
    { id: 1, type: 'step/load-model', widgets: { path: 'default' } },
    { id: 2, type: 'step/gaussian-sample', widgets: { count: 4, zDim: 8, seed } },
    { id: 3, type: 'step/mapper', inputs: { noise: [2, 'noise'], mapper: [1, 'model'] } },
    {
      id: 4,
      type: 'step/style-strength',
      widgets: { strength },
      inputs: { style: [3, 'style'], model: [1, 'model'] },
    },
    { id: 5, type: 'step/load-image', widgets: { path: '../images/style-1.png' } },
    { id: 6, type: 'step/style-encode', inputs: { images: [5, 'image'], encoder: [1, 'model'] } },
  ]
  return loadPreset(buildPreset(drafts), 'test').graph
}

function record(): { events: RunEvent[]; onEvent: (e: RunEvent) => void } {
  const events: RunEvent[] = []
  return { events, onEvent: (e) => events.push(e) }
}
const executedIds = (events: RunEvent[]) =>
  events.flatMap((e) => (e.type === 'executed' ? [e.node] : [])).sort((a, b) => a - b)

describe('GraphExecutor', () => {
  it('runs in dependency order, then re-runs nothing; a widget change re-runs exactly its descendants', async () => {
    const ex = new GraphExecutor({ env: folderEnv({ inputDir: PRESETS, outputDir: out }) })
    const first = record()
    const r1 = await ex.run(graphOf(), { onEvent: first.onEvent })
    expect(r1.status).toBe('done')
    const order = first.events.flatMap((e) => (e.type === 'executing' ? [e.node] : []))
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(3))
    expect(order.indexOf(2)).toBeLessThan(order.indexOf(3))
    expect(order.indexOf(3)).toBeLessThan(order.indexOf(4))
    expect(executedIds(first.events)).toEqual([1, 2, 3, 4, 5, 6])

    const again = record()
    const r2 = await ex.run(graphOf(), { onEvent: again.onEvent })
    expect(executedIds(again.events)).toEqual([])
    expect(r2.cached).toEqual([1, 2, 3, 4, 5, 6])

    const changed = record()
    await ex.run(graphOf(4), { onEvent: changed.onEvent })
    expect(executedIds(changed.events)).toEqual([2, 3, 4])

    const strength = record()
    await ex.run(graphOf(4, 0.5), { onEvent: strength.onEvent })
    expect(executedIds(strength.events)).toEqual([4])
    ex.dispose()
  })

  it('keeps numTensors and numBytes flat over 100 runs that each re-execute, and frees all on dispose', async () => {
    const before = tf.memory().numTensors
    const ex = new GraphExecutor({ env: folderEnv({ inputDir: PRESETS, outputDir: out }) })
    await ex.run(graphOf(0))
    const start = tf.memory()
    expect(start.numTensors).toBeGreaterThan(before)
    const samples: [number, number][] = []
    for (let i = 1; i <= 100; i++) {
      // the seed differs from the previous run's every time: noise, mapper, strength re-execute
      const r = await ex.run(graphOf(i % 2 === 0 ? 0 : i))
      expect(r.executed).toEqual([2, 3, 4])
      expect(r.cached).toEqual([1, 5, 6])
      if (i % 10 === 0) samples.push([tf.memory().numTensors, tf.memory().numBytes])
    }
    // equal every 10 runs, and equal to the first run's: nothing accumulates
    expect(samples).toEqual(samples.map(() => [start.numTensors, start.numBytes]))
    ex.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('gives the same outputs for the same seed and records seeds drawn for -1', async () => {
    const ex = new GraphExecutor({ env: folderEnv({ inputDir: PRESETS, outputDir: out }) })
    const a = await ex.run(graphOf(-1), { randomSeed: () => 1234 })
    expect(a.seeds).toEqual({ 2: { seed: 1234 } })
    const za = await (a.outputs.get(4)?.style as tf.Tensor).data()
    const ex2 = new GraphExecutor({ env: folderEnv({ inputDir: PRESETS, outputDir: out }) })
    const b = await ex2.run(graphOf(1234))
    const zb = await (b.outputs.get(4)?.style as tf.Tensor).data()
    expect(Array.from(za)).toEqual(Array.from(zb))
    ex.dispose()
    ex2.dispose()
  })

  it('runs only the ancestors of the target node', async () => {
    const ex = new GraphExecutor({ env: folderEnv({ inputDir: PRESETS, outputDir: out }) })
    const rec = record()
    const r = await ex.run(graphOf(), { until: 3, onEvent: rec.onEvent })
    expect(executedIds(rec.events)).toEqual([1, 2, 3])
    expect(r.outputs.has(4)).toBe(false)
    ex.dispose()
  })

  it('stops before the next node once cancelled and reports it', async () => {
    const ex = new GraphExecutor({ env: folderEnv({ inputDir: PRESETS, outputDir: out }) })
    const controller = new AbortController()
    const rec = record()
    const r = await ex.run(graphOf(), {
      signal: controller.signal,
      onEvent: (e) => {
        rec.onEvent(e)
        if (e.type === 'executed' && e.node === 2) controller.abort()
      },
    })
    expect(r.status).toBe('cancelled')
    expect(executedIds(rec.events)).toEqual([1, 2])
    expect(rec.events.some((e) => e.type === 'interrupted')).toBe(true)
    ex.dispose()
  })

  it('reports a failing node with its id, title and message, and runs nothing after it', async () => {
    const ex = new GraphExecutor({ env: folderEnv({ inputDir: PRESETS, outputDir: out }) })
    const graph = loadPreset(
      buildPreset([
        { id: 1, type: 'step/load-image', title: 'Missing', widgets: { path: 'nope.png' } },
        { id: 2, type: 'step/preview-image', inputs: { images: [1, 'image'] } },
      ]),
      'test',
    ).graph
    const rec = record()
    const r = await ex.run(graph, { onEvent: rec.onEvent })
    expect(r.status).toBe('failed')
    expect(r.error?.message).toMatch(/node 1 \(Missing\): .*nope\.png.*file not found/)
    const err = rec.events.find((e) => e.type === 'error')
    expect(err?.type === 'error' && err.error.nodeId).toBe(1)
    expect(executedIds(rec.events)).toEqual([])
    ex.dispose()
  })

  it('evicts least recently used outputs beyond the byte bound and releases them', async () => {
    const before = tf.memory().numTensors
    const ex = new GraphExecutor({
      env: folderEnv({ inputDir: PRESETS, outputDir: out }),
      cacheBytes: 1000,
    })
    const noise = (seed: number) =>
      loadPreset(
        buildPreset([
          { id: 1, type: 'step/gaussian-sample', widgets: { count: 64, zDim: 8, seed } },
        ]),
        'test',
      ).graph
    // 64 x 8 floats = 2048 bytes > 1000: a run's outputs stay only until the next run starts
    await ex.run(noise(1))
    expect(ex.cacheStats()).toEqual({ entries: 1, bytes: 2048 })
    await ex.run(noise(2))
    expect(ex.cacheStats()).toEqual({ entries: 1, bytes: 2048 })
    expect(tf.memory().numTensors).toBe(before + 1)
    ex.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('refuses an invalid graph before running anything', async () => {
    const ex = new GraphExecutor({ env: folderEnv({ inputDir: PRESETS, outputDir: out }) })
    const graph = loadPreset(
      buildPreset([{ id: 1, type: 'step/mapper', inputs: {} }]),
      'test',
    ).graph
    const rec = record()
    await expect(ex.run(graph, { onEvent: rec.onEvent })).rejects.toBeInstanceOf(
      GraphValidationError,
    )
    expect(rec.events.filter((e) => e.type === 'error')).toHaveLength(2)
    expect(rec.events.some((e) => e.type === 'executing')).toBe(false)
    ex.dispose()
  })
})
