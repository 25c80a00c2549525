import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { classifyBackendFault, markDeviceLost, moveToActiveBackend } from './backend-fault.js'
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

  it('counts any error as device-lost once the active backend lost its device', async () => {
    await tf.setBackend('cpu')
    expect(classifyBackendFault(new Error(''), 'cpu')).toBeNull()
    markDeviceLost('destroyed: simulated')
    expect(classifyBackendFault(new Error(''), 'cpu')).toEqual({
      kind: 'device-lost',
      backend: 'cpu',
      message: 'device lost (destroyed: simulated)',
    })
    expect(classifyBackendFault(new Error(''), 'wasm')).toBeNull()
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
})
