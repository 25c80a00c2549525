/**
 * Each node's execute on its own, with a real folder environment and the shipped default model:
 * values checked against the src/train operations they wrap, errors checked word for word.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RgbImage } from '../src/core/image/types.js'
import { readPngText } from '../src/core/image/png-text.js'
import { folderEnv } from '../src/runtime/env.node.js'
import { generate, sample } from '../src/inference/model.js'
import type { ExecuteContext, NodeDefinition } from '../src/nodes/define.js'
import { NODE_LIST, NODE_TYPES, nodeType } from '../src/nodes/index.js'
import type { ModelHandle } from '../src/nodes/sockets.js'

let out: string
let ctx: ExecuteContext
let model: ModelHandle
const previews: RgbImage[][] = []
const logs: string[] = []

/** Runs a node type with widget defaults overridden by `widgets`. */
async function exec(
  type: string,
  inputs: Record<string, unknown>,
  widgets: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const def = nodeType(type) as NodeDefinition
  const values = Object.fromEntries(Object.entries(def.widgets).map(([k, w]) => [k, w.default]))
  return { ...(await def.execute(inputs, { ...values, ...widgets }, ctx)) }
}

beforeAll(async () => {
  await tf.setBackend('cpu')
  out = mkdtempSync(join(tmpdir(), 'step-nodes-'))
  ctx = {
    nodeId: 1,
    title: 'test',
    signal: new AbortController().signal,
    env: folderEnv({ inputDir: resolve('examples/presets'), outputDir: out, cacheDir: null }),
    progress: () => undefined,
    preview: (images) => previews.push([...images]),
    log: (m) => logs.push(m),
    provenance: () => ({ 'step-preset': '{"test":1}' }),
  }
  model = (await exec('step/load-model', {}, { path: 'default' })).model as ModelHandle
})
afterAll(() => {
  model.model.encoder.dispose()
  model.model.generator.dispose()
  model.model.mapper?.dispose()
  rmSync(out, { recursive: true, force: true })
})

const values = async (t: unknown) => Array.from(await (t as tf.Tensor).data())

describe('node registry', () => {
  it('holds 24 frozen node types with unique ids, each with a title and description', () => {
    expect(NODE_LIST).toHaveLength(24)
    expect(Object.keys(NODE_TYPES)).toHaveLength(24)
    for (const n of NODE_LIST) {
      expect(Object.isFrozen(n)).toBe(true)
      expect(n.title.length).toBeGreaterThan(2)
      expect(n.description.length).toBeGreaterThan(20)
    }
    expect(nodeType('constructor')).toBeUndefined()
    expect(nodeType('__proto__')).toBeUndefined()
  })
})

describe('input nodes', () => {
  it('Webcam explains that headless runs have no camera, and re-runs on every run', async () => {
    await expect(exec('step/webcam', {})).rejects.toThrow(
      'no camera in this node run; the Webcam node needs the editor in a browser (Live button)',
    )
    expect(nodeType('step/webcam')?.volatile).toBe(true)
  })
})

describe('inference nodes', () => {
  it('Load Image reads a PNG as [1, H, W, 3] in [-1, 1]; a missing file is named', async () => {
    const { image } = await exec('step/load-image', {}, { path: '../images/content-1.png' })
    expect((image as tf.Tensor).shape).toEqual([1, 128, 128, 3]) // examples/images: 128 px
    expect(Math.max(...(await values(image)))).toBeLessThanOrEqual(1)
    await expect(exec('step/load-image', {}, { path: 'nope.png' })).rejects.toThrow(
      /nope\.png: file not found/,
    )
    tf.dispose(image as tf.Tensor)
  })

  it('Gaussian Sample -> Mapper -> Generate equals sample() for the same seed', async () => {
    const content = (await exec('step/load-image', {}, { path: '../images/content-1.png' }))
      .image as tf.Tensor4D
    const { noise } = await exec('step/gaussian-sample', {}, { count: 3, seed: 5 })
    const { style } = await exec('step/mapper', { noise, mapper: { mapper: model.model.mapper } })
    const { images } = await exec('step/generate', {
      content,
      style,
      generator: { generator: model.model.generator, size: model.size },
    })
    const ref = sample(model.model, content, 3, 5)
    expect((images as tf.Tensor).shape).toEqual([3, model.size, model.size, 3])
    expect(await values(style)).toEqual(await values(ref.z))
    expect(await values(images)).toEqual(await values(ref.images))
    tf.dispose([content, noise, style, images, ref.images, ref.z] as tf.Tensor[])
  })

  it('Mapper refuses noise of the wrong size, saying which zDim to use', async () => {
    const { noise } = await exec('step/gaussian-sample', {}, { count: 2, zDim: 4 })
    await expect(
      exec('step/mapper', { noise, mapper: { mapper: model.model.mapper } }),
    ).rejects.toThrow(
      "input 'noise': [2, 4] has 4 dimensions, the mapper takes 8; set Gaussian Sample's zDim to 8",
    )
    tf.dispose(noise as tf.Tensor)
  })

  it('Style Encode fits the style to the model size; Generate matches generate()', async () => {
    const style = (await exec('step/load-image', {}, { path: '../images/style-1.png' })).image
    const content = (await exec('step/load-image', {}, { path: '../images/content-1.png' })).image
    const big = tf.image.resizeBilinear(style as tf.Tensor4D, [96, 80]) // not the model size
    const z = (
      await exec('step/style-encode', {
        images: style,
        encoder: { encoder: model.model.encoder, size: model.size },
      })
    ).style
    const zBig = (
      await exec('step/style-encode', {
        images: big,
        encoder: { encoder: model.model.encoder, size: model.size },
      })
    ).style
    expect((z as tf.Tensor).shape).toEqual([1, 8])
    expect((zBig as tf.Tensor).shape).toEqual([1, 8])
    const { images } = await exec('step/generate', {
      content,
      style: z,
      generator: { generator: model.model.generator, size: model.size },
    })
    const ref = generate(model.model, content as tf.Tensor4D, z as tf.Tensor2D)
    expect(await values(images)).toEqual(await values(ref))
    tf.dispose([style, content, big, z, zBig, images, ref] as tf.Tensor[])
  })

  it('Style Strength 0 gives the mean code, 1 the code itself', async () => {
    const z = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]])
    const s0 = (await exec('step/style-strength', { style: z, model }, { strength: 0 })).style
    const s1 = (await exec('step/style-strength', { style: z, model }, { strength: 1 })).style
    const mean = Array.from(model.model.meanCode ?? [])
    ;(await values(s0)).forEach((v, i) => expect(v).toBeCloseTo(mean[i] ?? NaN, 5))
    ;(await values(s1)).forEach((v, i) => expect(v).toBeCloseTo(i + 1, 5))
    tf.dispose([z, s0, s1] as tf.Tensor[])
  })

  it('Interpolate: a path keeps its ends, blend mixes by weight, grid corners are the inputs', async () => {
    const a = tf.tensor2d([[1, 0, 0, 0, 0, 0, 0, 0]])
    const b = tf.tensor2d([[0, 1, 0, 0, 0, 0, 0, 0]])
    const c = tf.tensor2d([[0, 0, 1, 0, 0, 0, 0, 0]])
    const d = tf.tensor2d([[0, 0, 0, 1, 0, 0, 0, 0]])
    const path = (await exec('step/interpolate', { a, b, c }, { mode: 'lerp', steps: 3 }))
      .style as tf.Tensor
    expect(path.shape).toEqual([5, 8])
    expect((await values(path)).slice(0, 8)).toEqual([1, 0, 0, 0, 0, 0, 0, 0])
    expect((await values(path)).slice(8, 16)).toEqual([0.5, 0.5, 0, 0, 0, 0, 0, 0])
    expect((await values(path)).slice(32, 40)).toEqual([0, 0, 1, 0, 0, 0, 0, 0])
    const blend = (await exec('step/interpolate', { a, b }, { mode: 'blend', weights: '3, 1' }))
      .style
    expect((await values(blend)).slice(0, 2)).toEqual([0.75, 0.25])
    const grid = (await exec('step/interpolate', { a, b, c, d }, { mode: 'grid', steps: 3 }))
      .style as tf.Tensor
    expect(grid.shape).toEqual([9, 8])
    const g = await values(grid)
    expect(g.slice(0, 4)).toEqual([1, 0, 0, 0]) // top-left = a
    expect(g.slice(16, 20)).toEqual([0, 1, 0, 0]) // top-right = b
    expect(g.slice(64, 68)).toEqual([0, 0, 0, 1]) // bottom-right = d
    expect(g.slice(32, 36)).toEqual([0.25, 0.25, 0.25, 0.25]) // centre
    await expect(
      exec('step/interpolate', { a, b }, { mode: 'blend', weights: '1, x' }),
    ).rejects.toThrow("widget 'weights': item 2 'x' is not a number")
    await expect(exec('step/interpolate', { a, b }, { mode: 'grid' })).rejects.toThrow(
      /exactly 4 corner codes, got 2/,
    )
    tf.dispose([a, b, c, d, path, blend, grid] as tf.Tensor[])
  })
})

describe('image nodes', () => {
  it('Image Grid lays first, second and images out in columns', async () => {
    const one = tf.zeros<tf.Rank.R4>([1, 8, 8, 3])
    const three = tf.ones<tf.Rank.R4>([3, 8, 8, 3])
    const { image } = await exec(
      'step/image-grid',
      { first: one, second: one, images: three },
      { columns: 3, gap: 1 },
    )
    expect((image as tf.Tensor).shape).toEqual([1, 2 * 8 + 3, 3 * 8 + 4, 3])
    tf.dispose([one, three, image as tf.Tensor])
  })

  it('Save Image writes numbered PNGs with the provenance text; refuses path-like prefixes', async () => {
    const two = tf.zeros<tf.Rank.R4>([2, 8, 8, 3])
    const { files } = await exec('step/save-image', { images: two }, { prefix: 'pic' })
    expect(files).toBe(`${join(out, 'pic-1.png')}\n${join(out, 'pic-2.png')}`)
    const file = join(out, 'pic-2.png')
    expect(readPngText(new Uint8Array(readFileSync(file)), file)).toEqual({
      'step-preset': '{"test":1}',
    })
    await expect(exec('step/save-image', { images: two }, { prefix: '../x' })).rejects.toThrow(
      "widget 'prefix': '../x' must be a plain file name",
    )
    two.dispose()
  })

  it('Preview Image hands the images to the run as RGB', async () => {
    const t = tf.fill<tf.Rank.R4>([1, 4, 4, 3], 1)
    await exec('step/preview-image', { images: t })
    expect(previews.at(-1)?.[0]?.data[0]).toBe(255)
    t.dispose()
  })
})

describe('model and dataset nodes', () => {
  it('Save Model then Load Model gives identical outputs; a foreign model is never replaced', async () => {
    const { checkpoint } = await exec('step/save-model', { model }, { path: 'saved' })
    expect(checkpoint).toEqual({ path: join(out, 'saved'), stage: 'mapper', step: 500 })
    const again = (await exec('step/load-model', { checkpoint })).model as ModelHandle
    expect(again.model.meanCode).toEqual(model.model.meanCode)
    const e = tf.ones<tf.Rank.R2>([2, 8])
    const m1 = model.model.mapper?.apply(e) as tf.Tensor
    const m2 = again.model.mapper?.apply(e) as tf.Tensor
    expect(await values(m2)).toEqual(await values(m1))
    // saving the reloaded model (another source) over it is refused
    await expect(exec('step/save-model', { model: again }, { path: 'saved' })).rejects.toThrow(
      /saved: already holds a model not saved from/,
    )
    tf.dispose([e, m1, m2])
    again.model.encoder.dispose()
    again.model.generator.dispose()
    again.model.mapper?.dispose()
  })

  it('Synth Dataset writes once and reuses; Load Dataset opens the same folder', async () => {
    const first = (await exec('step/synth-dataset', {}, { count: 6, size: 32, seed: 3 }))
      .dataset as {
      path: string
      dataset: { names: readonly string[] }
    }
    expect(first.path).toBe(join(out, 'datasets', 'synth-6-32-3'))
    expect(first.dataset.names).toHaveLength(6)
    const loaded = (await exec('step/load-dataset', {}, { path: first.path }))
      .dataset as typeof first
    expect(loaded.dataset.names).toEqual(first.dataset.names)
    const again = (await exec('step/synth-dataset', {}, { count: 6, size: 32, seed: 3 }))
      .dataset as typeof first
    expect(again.path).toBe(first.path)
    await expect(exec('step/load-dataset', {}, { path: 'no-such-folder' })).rejects.toThrow(
      /no-such-folder/,
    )
  })
})
