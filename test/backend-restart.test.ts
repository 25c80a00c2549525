/**
 * A run that ends in an out-of-memory or a wasm abort never poisons the next one
 * (docs/decisions/0023-photos-in.md): the executor drops its cache and restarts the backend (a
 * fresh instance, a fresh wasm heap), and the next run gives the same pixels as before the
 * failure. The abort is simulated: the Conv2D kernel of wasm throws the message a real wasm trap
 * gives ("RuntimeError: memory access out of bounds") on its 3rd call inside Generate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { poisonsBackend } from '../src/runtime/backend-rebuild.js'
import { activeBackend, initBackend } from '../src/runtime/backend.js'
import { folderEnv } from '../src/runtime/env.node.js'
import type { RunEvent } from '../src/runtime/events.js'
import { GraphExecutor, type RunResult } from '../src/runtime/executor.js'
import { applySet, loadPreset } from '../src/runtime/preset.js'
import { failingKernel } from './fixtures/faults.js'

const PRESETS = 'examples/presets'
const GENERATE = 5
let out = ''

/** random-sampling.json with 2 styles drawn with noise seed `seed`. */
function graph(seed = 1) {
  const json: unknown = JSON.parse(readFileSync(join(PRESETS, 'random-sampling.json'), 'utf8'))
  let preset = applySet(loadPreset(json, 'random-sampling').preset, '#3.count=2')
  preset = applySet(preset, `#3.seed=${seed}`)
  return loadPreset(preset, 'random-sampling').graph
}

async function generated(r: RunResult): Promise<Float32Array> {
  const images = r.outputs.get(GENERATE)?.images as tf.Tensor | undefined
  if (!images) throw new Error(`Generate produced nothing (${r.error?.message ?? r.status})`)
  return (await images.data()) as Float32Array
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'step-restart-'))
  await initBackend({ prefer: 'wasm' })
})
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('a poisoned backend is restarted', () => {
  it('recognises wasm traps, allocation failures and the WebGL texture limit, nothing else', () => {
    for (const m of [
      'RuntimeError: memory access out of bounds',
      'Aborted(). Build with -sASSERTIONS for more info.',
      'Requested texture size [14900x14900] greater than WebGL maximum on this browser / GPU [16384x16384].',
      'Cannot enlarge memory arrays to size 4294967296 bytes',
      'RangeError: Array buffer allocation failed',
    ])
      expect(poisonsBackend(new Error(m)), m).toBe(true)
    for (const m of ["widget 'path': no file given", 'x.png: file not found'])
      expect(poisonsBackend(new Error(m)), m).toBe(false)
  })

  it('after a wasm abort inside Generate, the next run succeeds on a fresh wasm with the same pixels', async () => {
    const ex = new GraphExecutor({
      env: folderEnv({ inputDir: PRESETS, outputDir: out }),
      backendFallback: false,
    })
    const reference = await generated(await ex.run(graph()))
    const old = tf.backend()
    const fault = failingKernel(
      'Conv2D',
      'wasm',
      3,
      () => new Error('RuntimeError: memory access out of bounds'),
    )
    const events: RunEvent[] = []
    let failed: RunResult
    try {
      fault.arm()
      // a new noise seed: Generate and what feeds it run again, the model comes from the cache
      failed = await ex.run(graph(7), { onEvent: (e) => events.push(e) })
    } finally {
      fault.restore()
    }
    expect(failed.status).toBe('failed')
    expect(failed.error?.message).toContain('memory access out of bounds')
    const log = events.find((e) => e.type === 'log')
    expect(log?.type === 'log' && log.message).toMatch(
      /^the wasm backend ran out of memory or aborted: restarted as wasm.*, \d+ cached values? dropped$/,
    )
    expect(tf.getBackend()).toBe('wasm')
    expect(tf.backend()).not.toBe(old) // a fresh instance
    expect(activeBackend()?.backend).toBe('wasm')
    const again = await ex.run(graph())
    expect(again.status).toBe('done')
    expect(again.executed.length).toBeGreaterThan(0) // the dropped cache was recomputed
    const pixels = await generated(again)
    let diff = 0
    for (let i = 0; i < reference.length; i++)
      diff = Math.max(diff, Math.abs((reference[i] ?? NaN) - (pixels[i] ?? NaN)))
    expect(pixels.length).toBe(reference.length)
    expect(diff).toBe(0)
    ex.dispose()
  })
})
