/**
 * One model-level suite on every backend available here, compared with cpu (max abs diff <= 1e-4).
 * WebGPU runs through Dawn on lavapipe without a GPU. With STEP_REQUIRE_WEBGPU=1 (CI) a missing
 * adapter fails the run; otherwise the webgpu case is skipped with the reason printed.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  formatAdapter,
  initBackend,
  probeWebGpu,
  type BackendName,
} from '../src/runtime/backend.js'
import { probeInput, probeWeights, runProbe } from './fixtures/probe-net.js'

const REQUIRE_WEBGPU = process.env.STEP_REQUIRE_WEBGPU === '1'
const weights = probeWeights(7)
const input = probeInput(11)

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)))
  return m
}

describe('probe net on every backend matches cpu', () => {
  let reference: Float32Array[] = []

  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' })
    reference = await runProbe(weights, input)
  })

  it('cpu reference is non-trivial and repeatable', async () => {
    const [image, code, gram] = reference
    expect(image?.length).toBe(2 * 8 * 8 * 8)
    expect(code?.length).toBe(2 * 8)
    expect(gram?.length).toBe(2 * 16 * 16)
    // tanh outputs spread over (-1, 1), not collapsed to a constant
    const values = Array.from(image ?? [])
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.5)
    const again = await runProbe(weights, input)
    reference.forEach((r, i) => expect(maxAbsDiff(r, again[i] ?? new Float32Array())).toBe(0))
  })

  const backends: BackendName[] = ['wasm', 'webgpu']
  for (const name of backends) {
    it(`${name} matches cpu within 1e-4`, async (ctx) => {
      if (name === 'webgpu') {
        const probe = await probeWebGpu()
        if (typeof probe === 'string') {
          if (REQUIRE_WEBGPU) throw new Error(`STEP_REQUIRE_WEBGPU=1 but ${probe}`)
          console.warn(`[skip] webgpu parity: ${probe}`)
          ctx.skip(probe)
          return
        }
      }
      const info = await initBackend({ prefer: name })
      expect(info.backend).toBe(name)
      expect(tf.getBackend()).toBe(name)
      if (info.adapter) console.log(`[backend] ${name} adapter: ${formatAdapter(info.adapter)}`)
      const before = tf.memory().numTensors
      const outputs = await runProbe(weights, input)
      expect(tf.memory().numTensors).toBe(before)
      const diffs = outputs.map((o, i) => maxAbsDiff(o, reference[i] ?? new Float32Array()))
      console.log(
        `[backend] ${name} max abs diff vs cpu: ${diffs.map((d) => d.toExponential(2)).join(', ')}`,
      )
      for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4)
    })
  }
})
