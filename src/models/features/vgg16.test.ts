import { maxAbsDiff } from '../../../test/fixtures/tensors.js'
import * as tf from '@tensorflow/tfjs'
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadFeatureExtractor } from './index.js'
import { caffePreprocess } from './preprocess.js'

const KERAS_TAPS = ['block1_conv2', 'block2_conv2', 'block3_conv2', 'block4_conv2', 'block5_conv2']
const CAFFE_TAPS = ['conv1_2', 'conv2_2', 'conv3_2', 'conv4_2', 'conv5_2']
let root = ''

function conv(name: string, filters: number, seed: number, relu: boolean, first = false) {
  return tf.layers.conv2d({
    name,
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: relu ? 'relu' : 'linear',
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 99 }),
    ...(first ? { inputShape: [null, null, 3] } : {}),
  })
}

/** A tiny Keras-VGG16-shaped functional model: blockN_convM (in-layer ReLU), pools, a dense head. */
function fakeKerasVgg(blocks = 5): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 3], name: 'input_1' })
  let x = input
  for (let b = 1; b <= blocks; b++) {
    for (let c = 1; c <= (b <= 2 ? 2 : 3); c++) {
      x = conv(`block${b}_conv${c}`, 3 + b, b * 10 + c, true).apply(x) as tf.SymbolicTensor
    }
    x = tf.layers
      .maxPooling2d({ name: `block${b}_pool`, poolSize: 2 })
      .apply(x) as tf.SymbolicTensor
  }
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor
  x = tf.layers.dense({ name: 'predictions', units: 5 }).apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: x, name: 'vgg16' })
}

/** A Caffe-named Sequential variant: linear convN_M, each followed by its own ReLU layer. */
function fakeCaffeVgg(): tf.Sequential {
  const m = tf.sequential({ name: 'caffe_vgg' })
  for (let b = 1; b <= 5; b++) {
    for (let c = 1; c <= 3; c++) {
      m.add(conv(`conv${b}_${c}`, 3 + b, b * 7 + c, false, b === 1 && c === 1))
      m.add(tf.layers.reLU({ name: `relu${b}_${c}` }))
    }
    m.add(tf.layers.maxPooling2d({ name: `pool${b}`, poolSize: 2 }))
  }
  return m
}

/** Saves `model` as model.json + 2 weight shards, like tensorflowjs_converter's output. */
async function saveAsConverterOutput(model: tf.LayersModel, folder: string, wrap: boolean) {
  await mkdir(folder, { recursive: true })
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
      const half = Math.ceil(bytes.length / 2)
      const paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin']
      await writeFile(path.join(folder, paths[0] ?? ''), bytes.subarray(0, half))
      await writeFile(path.join(folder, paths[1] ?? ''), bytes.subarray(half))
      const topology = wrap
        ? {
            keras_version: '2.2.4-tf',
            backend: 'tensorflow',
            model_config: artifacts.modelTopology,
          }
        : artifacts.modelTopology
      const json = {
        format: 'layers-model',
        generatedBy: 'vgg16.test.ts',
        convertedBy: null,
        modelTopology: topology,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
      }
      await writeFile(path.join(folder, 'model.json'), JSON.stringify(json))
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
}

/** Reference taps straight from the in-memory model (caffe input), optional ReLU. */
function reference(model: tf.LayersModel, taps: string[], x: tf.Tensor4D, size: number) {
  const outputs = taps.map((t) => model.getLayer(t).output as tf.SymbolicTensor)
  const ref = tf.model({ inputs: model.inputs, outputs })
  return tf.tidy(() => {
    const out = ref.apply(caffePreprocess(x, size)) as tf.Tensor[]
    return out.map((t) => tf.relu(t))
  })
}

let keras: tf.LayersModel
let caffe: tf.Sequential

beforeAll(async () => {
  tf.enableProdMode()
  await tf.setBackend('cpu')
  root = await mkdtemp(path.join(tmpdir(), 'step-vgg16-'))
  keras = fakeKerasVgg()
  caffe = fakeCaffeVgg()
  await saveAsConverterOutput(keras, path.join(root, 'keras'), true)
  await saveAsConverterOutput(caffe, path.join(root, 'caffe'), false)
  await saveAsConverterOutput(fakeKerasVgg(3), path.join(root, 'short'), true)
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('vgg16:<path> with a fake Keras-named VGG-16', () => {
  it('finds the five taps, truncates the head and matches the original model', async () => {
    const spec = `vgg16:${path.join(root, 'keras', 'model.json')}`
    const ext = await loadFeatureExtractor(spec, { inputSize: 32 })
    expect(ext.id).toBe(spec)
    expect(ext.layers).toEqual(KERAS_TAPS)
    expect(ext.inputSize).toBe(32)
    const x = tf.randomUniform<tf.Rank.R4>([2, 40, 40, 3], -1, 1, 'float32', 11)
    const out = ext.extract(x)
    expect(out.map((t) => t.shape)).toEqual([
      [2, 32, 32, 4],
      [2, 16, 16, 5],
      [2, 8, 8, 6],
      [2, 4, 4, 7],
      [2, 2, 2, 8],
    ])
    const ref = reference(keras, KERAS_TAPS, x, 32)
    for (let i = 0; i < out.length; i++) {
      const o = out[i] as tf.Tensor
      const scale = (await tf.max(o).data())[0] ?? 0
      expect(scale).toBeGreaterThan(0)
      expect(await maxAbsDiff(o, ref[i] as tf.Tensor)).toBeLessThan(1e-3 * Math.max(1, scale))
    }
    tf.dispose([x, ...out, ...ref])
    ext.dispose()
  })

  it('loads from the folder too, with a fingerprint that depends on model and size', async () => {
    const folder = path.join(root, 'keras')
    const a = await loadFeatureExtractor(`vgg16:${folder}`, { inputSize: 32 })
    const b = await loadFeatureExtractor(`vgg16:${path.join(folder, 'model.json')}`, {
      inputSize: 32,
    })
    const c = await loadFeatureExtractor(`vgg16:${folder}`, { inputSize: 48 })
    const d = await loadFeatureExtractor(`vgg16:${path.join(root, 'caffe')}`, { inputSize: 32 })
    expect(a.fingerprint).toMatch(/^vgg16-[0-9a-f]{16}$/)
    expect(a.fingerprint).toBe(b.fingerprint)
    expect(new Set([a, c, d].map((e) => e.fingerprint)).size).toBe(3)
    for (const e of [a, b, c, d]) e.dispose()
  })
})

describe('vgg16:<path> with a fake Caffe-named Sequential VGG-16', () => {
  it('accepts conv1_2..conv5_2 and applies the ReLU the layers lack', async () => {
    const ext = await loadFeatureExtractor(`vgg16:${path.join(root, 'caffe')}`, { inputSize: 32 })
    expect(ext.layers).toEqual(CAFFE_TAPS)
    const x = tf.randomUniform<tf.Rank.R4>([1, 32, 32, 3], -1, 1, 'float32', 12)
    const out = ext.extract(x)
    expect(out.map((t) => t.shape[1])).toEqual([32, 16, 8, 4, 2])
    const ref = reference(caffe, CAFFE_TAPS, x, 32)
    for (let i = 0; i < out.length; i++) {
      const o = out[i] as tf.Tensor
      expect((await tf.min(o).data())[0]).toBeGreaterThanOrEqual(0)
      const scale = (await tf.max(o).data())[0] ?? 0
      expect(await maxAbsDiff(o, ref[i] as tf.Tensor)).toBeLessThan(1e-3 * Math.max(1, scale))
    }
    tf.dispose([x, ...out, ...ref])
    ext.dispose()
  })
})

describe('vgg16:<url>', () => {
  it('fetches model.json and its shards over http, with the same fingerprint as from disk', async () => {
    const server = createServer((req, res) => {
      const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
      readFile(file).then(
        (body) => res.end(body),
        () => {
          res.statusCode = 404
          res.end()
        },
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const fromUrl = await loadFeatureExtractor(`vgg16:${base}/keras/model.json`, {
        inputSize: 32,
      })
      const fromDisk = await loadFeatureExtractor(`vgg16:${path.join(root, 'keras')}`, {
        inputSize: 32,
      })
      expect(fromUrl.layers).toEqual(KERAS_TAPS)
      expect(fromUrl.fingerprint).toBe(fromDisk.fingerprint)
      const x = tf.randomUniform<tf.Rank.R4>([1, 32, 32, 3], -1, 1, 'float32', 5)
      const [a, b] = [fromUrl.extract(x), fromDisk.extract(x)]
      expect(await maxAbsDiff(a[4] as tf.Tensor, b[4] as tf.Tensor)).toBe(0)
      tf.dispose([x, ...a, ...b])
      fromUrl.dispose()
      fromDisk.dispose()
      await expect(loadFeatureExtractor(`vgg16:${base}/nothing/model.json`)).rejects.toThrow(
        `${base}/nothing/model.json: HTTP 404`,
      )
    } finally {
      server.close()
    }
  })
})

describe('vgg16:<path> errors', () => {
  it('names the missing layers and lists some that are present', async () => {
    const err = (await loadFeatureExtractor(`vgg16:${path.join(root, 'short')}`).catch(
      (e: unknown) => e,
    )) as Error
    expect(err.message).toContain(
      'not a VGG-16 model: missing layer(s) block4_conv2 / conv4_2, block5_conv2 / conv5_2',
    )
    expect(err.message).toContain('input_1, block1_conv1, block1_conv2')
  })

  it('names a missing path, a folder without model.json and a missing shard', async () => {
    const nowhere = path.join(root, 'nowhere', 'model.json')
    await expect(loadFeatureExtractor(`vgg16:${nowhere}`)).rejects.toThrow(
      `vgg16:${nowhere}: no such file or folder: '${nowhere}'`,
    )
    const empty = path.join(root, 'empty')
    await mkdir(empty)
    await expect(loadFeatureExtractor(`vgg16:${empty}`)).rejects.toThrow(
      `cannot read model.json at '${path.join(empty, 'model.json')}'`,
    )
    const broken = path.join(root, 'broken')
    await saveAsConverterOutput(fakeKerasVgg(), broken, true)
    await unlink(path.join(broken, 'group1-shard2of2.bin'))
    await expect(loadFeatureExtractor(`vgg16:${broken}`)).rejects.toThrow(
      `cannot read weight shard '${path.join(broken, 'group1-shard2of2.bin')}'`,
    )
    await expect(loadFeatureExtractor('vgg16:')).rejects.toThrow(
      'vgg16: give a model path or URL after the colon, e.g. vgg16:out/model.json',
    )
  })
})
