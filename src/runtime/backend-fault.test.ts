import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  classifyBackendFault,
  deviceLossOf,
  markDeviceLost,
  moveToActiveBackend,
} from './backend-fault.js'
import { missingKernel } from '../../test/fixtures/faults.js'
import { fallbackBackend, initBackend } from './backend.js'

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' })
})

describe('classifyBackendFault', () => {
  it('recognises a missing kernel, a lost device and a lost WebGL context, and nothing else', () => {
    expect(
      classifyBackendFault(new Error("Kernel 'Conv2D' not registered for backend 'webgpu'"), 'x'),
    ).toEqual({
      kind: 'missing-kernel',
      backend: 'webgpu',
      message: "Kernel 'Conv2D' not registered for backend 'webgpu'",
    })
    for (const m of ['Device is lost', 'GPUDevice was lost (unknown)', 'the device was destroyed'])
      expect(classifyBackendFault(new Error(m), 'webgpu')?.kind).toBe('device-lost')
    expect(classifyBackendFault(new Error('CONTEXT_LOST_WEBGL'), 'webgl')?.kind).toBe(
      'context-lost',
    )
    expect(classifyBackendFault(new RangeError('input must be 4D'), 'wasm')).toBeNull()
    expect(classifyBackendFault('file not found', 'wasm')).toBeNull()
  })

  it('counts any error as device-lost once the backend lost its device', () => {
    // a fake backend object, so the real cpu / wasm backends stay healthy for the other tests
    const fake = { dispose: () => undefined }
    tf.registerBackend('fake-lost', () => fake as unknown as tf.KernelBackend, -1)
    try {
      expect(tf.findBackend('fake-lost')).toBe(fake)
      expect(classifyBackendFault(new Error(''), 'fake-lost')).toBeNull()
      markDeviceLost('destroyed: simulated', fake)
      expect(deviceLossOf(fake)).toBe('destroyed: simulated')
      expect(classifyBackendFault(new Error(''), 'fake-lost')).toEqual({
        kind: 'device-lost',
        backend: 'fake-lost',
        message: 'device lost (destroyed: simulated)',
      })
      expect(classifyBackendFault(new Error(''), 'cpu')).toBeNull()
      expect(deviceLossOf(tf.findBackend('cpu') ?? {})).toBeNull()
    } finally {
      tf.removeBackend('fake-lost')
    }
  })
})

describe('moveToActiveBackend', () => {
  it('moves tensors and variables in place, keeping their values and the tensor count', async () => {
    await tf.setBackend('wasm')
    const t = tf.tensor2d([1.5, -2, 3, 4.25], [2, 2])
    const v = tf.variable(tf.tensor1d([7, 8, 9]))
    const view = tf.reshape(t, [4]) // shares t's data
    const before = tf.memory().numTensors
    await tf.setBackend('cpu')
    expect(await moveToActiveBackend([t, v, view])).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
    expect(Array.from(await t.data())).toEqual([1.5, -2, 3, 4.25])
    expect(Array.from(await view.data())).toEqual([1.5, -2, 3, 4.25])
    expect(Array.from(await tf.add(v, 1).data())).toEqual([8, 9, 10])
    v.assign(tf.tensor1d([1, 2, 3]))
    expect(Array.from(await v.data())).toEqual([1, 2, 3])
    tf.dispose([t, v, view])
  })
})

describe('fallbackBackend', () => {
  it('activates the next backend of the Node order after the failed one, or none after the last', async () => {
    await initBackend({ prefer: 'wasm' })
    const info = await fallbackBackend('wasm', 'device-lost: simulated')
    expect(info).toMatchObject({ backend: 'cpu', platform: 'node' })
    expect(info?.attempts).toEqual([
      { backend: 'wasm', ok: false, reason: 'failed mid-run: device-lost: simulated' },
      { backend: 'cpu', ok: true },
    ])
    expect(tf.getBackend()).toBe('cpu')
    expect(await fallbackBackend('cpu', 'missing-kernel: X')).toBeNull()
    expect(tf.getBackend()).toBe('cpu')
  })

  it('for a missing kernel, passes over a backend that lacks it too and says so', async () => {
    await initBackend({ prefer: 'wasm' })
    const gone = missingKernel('Conv2D', 'wasm')
    try {
      // webgpu (first in the Node order) lost Conv2D; wasm lacks it as well: cpu takes over
      const info = await fallbackBackend('webgpu', 'missing-kernel: Conv2D', { kernel: 'Conv2D' })
      expect(info?.backend).toBe('cpu')
      expect(info?.attempts).toEqual([
        { backend: 'webgpu', ok: false, reason: 'failed mid-run: missing-kernel: Conv2D' },
        {
          backend: 'wasm',
          ok: false,
          reason: "has no 'Conv2D' kernel either",
          skippedForKernel: true,
        },
        { backend: 'cpu', ok: true },
      ])
      expect(tf.getBackend()).toBe('cpu')
    } finally {
      gone.restore()
    }
  })
})
