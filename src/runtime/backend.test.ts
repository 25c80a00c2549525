import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { BackendError } from '../core/errors.js'
import { candidateOrder, detectPlatform, initBackend } from './backend.js'

describe('initBackend', () => {
  it('knows it runs in Node and orders candidates per platform', () => {
    expect(detectPlatform()).toBe('node')
    expect(candidateOrder('node')).toEqual(['webgpu', 'wasm', 'cpu'])
    expect(candidateOrder('browser')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu'])
  })

  it('honours an explicit choice', async () => {
    const info = await initBackend({ prefer: 'cpu' })
    expect(info).toMatchObject({ backend: 'cpu', platform: 'node', adapter: null })
    expect(tf.getBackend()).toBe('cpu')
  })

  it('refuses an explicit choice it cannot honour instead of falling back', async () => {
    await initBackend({ prefer: 'cpu' })
    const err = await initBackend({ prefer: 'webgl' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BackendError)
    expect((err as BackendError).code).toBe('backend/unavailable')
    expect((err as BackendError).message).toMatch(
      /backend 'webgl' was requested .* only available in browsers/,
    )
    expect(tf.getBackend()).toBe('cpu')
  })

  it('rejects unknown names, listing the valid ones', async () => {
    // @ts-expect-error deliberately invalid input, as from untyped JSON
    const err = await initBackend({ prefer: 'metal' }).catch((e: unknown) => e)
    expect((err as Error).message).toBe(
      "unknown backend 'metal'; valid: auto, webgpu, webgl, wasm, cpu",
    )
  })

  it('auto picks the first usable candidate and records why earlier ones were passed over', async () => {
    const info = await initBackend()
    expect(['webgpu', 'wasm']).toContain(info.backend)
    const last = info.attempts.at(-1)
    expect(last).toEqual({ backend: info.backend, ok: true })
    if (info.backend === 'wasm') {
      expect(info.attempts[0]?.backend).toBe('webgpu')
      expect(info.attempts[0]?.reason).toMatch(/adapter|webgpu|software/i)
    } else {
      expect(info.adapter?.software).toBe(false)
    }
  })
})
