import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { fingerprintOf, fnv1a64 } from './hash.js'
import { caffePreprocess, CAFFE_BGR_MEAN } from './preprocess.js'
import { IMAGE_INPUT, parseModelJson, truncateTopology } from './topology.js'

beforeAll(async () => {
  tf.enableProdMode()
  await tf.setBackend('cpu')
})

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325')
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c')
    expect(fnv1a64('foobar')).toBe('85944171f73967e8')
  })

  it('fingerprints depend on every part', () => {
    const a = fingerprintOf('x', { taps: ['a'], inputSize: 64 })
    expect(a).toBe(fingerprintOf('x', { taps: ['a'], inputSize: 64 }))
    expect(a).not.toBe(fingerprintOf('x', { taps: ['a'], inputSize: 96 }))
    expect(a).not.toBe(fingerprintOf('x', { taps: ['b'], inputSize: 64 }))
  })
})

describe('caffePreprocess', () => {
  it('maps [-1, 1] RGB to 0..255 BGR minus the ImageNet mean', async () => {
    const x = tf.tensor4d([-1, 0, 1], [1, 1, 1, 3]) // R = -1, G = 0, B = 1
    const y = caffePreprocess(x, 1)
    const [mb, mg, mr] = CAFFE_BGR_MEAN
    const v = Array.from(await y.data())
    expect(v[0]).toBeCloseTo(255 - mb, 3)
    expect(v[1]).toBeCloseTo(127.5 - mg, 3)
    expect(v[2]).toBeCloseTo(0 - mr, 3)
    tf.dispose([x, y])
  })

  it('resizes bilinearly to the requested size', () => {
    const x = tf.zeros<tf.Rank.R4>([2, 10, 12, 3])
    const y = caffePreprocess(x, 16)
    expect(y.shape).toEqual([2, 16, 16, 3])
    tf.dispose([x, y])
  })
})

describe('truncateTopology', () => {
  // A converter-style model.json: input -> a -> b (tap) -> c (dropped), and a -> d -> add(b, d).
  const layer = (name: string, cls: string, inbound: string[], config = {}) => ({
    name,
    class_name: cls,
    config: { name, ...config },
    inbound_nodes: inbound.length ? [inbound.map((n) => [n, 0, 0, {}])] : [],
  })
  const json = JSON.stringify({
    modelTopology: {
      model_config: {
        class_name: 'Model',
        config: {
          layers: [
            layer('in', 'InputLayer', [], { batch_input_shape: [null, 224, 224, 3] }),
            layer('a', 'Conv2D', ['in']),
            layer('b', 'Conv2D', ['a']),
            layer('d', 'Conv2D', ['a']),
            layer('sum', 'Add', ['b', 'd']),
            layer('c', 'Dense', ['sum']),
          ],
          input_layers: [['in', 0, 0]],
          output_layers: [['c', 0, 0]],
        },
      },
    },
    weightsManifest: [],
  })

  it("keeps only the taps' ancestors, resizes the input and makes the taps the outputs", () => {
    const t = truncateTopology(parseModelJson(json, 'test'), ['b', 'sum'], 64)
    expect([...t.kept].sort()).toEqual(['a', 'b', 'd', 'in', 'sum'])
    expect(t.plan).toEqual([
      { name: 'a', inputs: [IMAGE_INPUT] },
      { name: 'b', inputs: ['a'] },
      { name: 'd', inputs: ['a'] },
      { name: 'sum', inputs: ['b', 'd'] },
    ])
    const mc = (t.modelTopology['model_config'] ?? {}) as {
      config: { layers: { config: Record<string, unknown> }[]; output_layers: unknown }
    }
    expect(mc.config.layers[0]?.config['batch_input_shape']).toEqual([null, 64, 64, 3])
    expect(mc.config.output_layers).toEqual([
      ['b', 0, 0],
      ['sum', 0, 0],
    ])
  })

  it('names unknown taps and rejects files that are not layers models', () => {
    expect(() => truncateTopology(parseModelJson(json, 'test'), ['zz'], 64)).toThrow(
      'no layer(s) named zz in the model',
    )
    expect(() => parseModelJson('{"format": "graph-model"}', 'm.json')).toThrow(
      'm.json: not a tfjs layers model.json (needs modelTopology and weightsManifest)',
    )
  })
})
