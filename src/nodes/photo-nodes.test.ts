import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodePng } from '../core/image/encode.js'
import { batchToImages, imagesToBatch } from '../core/image/tensor.js'
import { createRgbImage, type RgbImage } from '../core/image/types.js'
import { detectEdges } from '../data/edges/index.js'
import type { ExecuteContext, NodeDefinition } from './define.js'
import { nodeType } from './index.js'

const progress: [number, number][] = []
const ctx = {
  nodeId: 1,
  title: 'test',
  signal: new AbortController().signal,
  env: { label: 'test', readBytes: () => Promise.resolve(encodePng(photo(2000, 1000))) },
  progress: (v: number, m: number) => progress.push([v, m]),
  preview: () => undefined,
  log: () => undefined,
  provenance: () => ({}),
} as unknown as ExecuteContext

async function exec(type: string, inputs: Record<string, unknown>, widgets = {}) {
  const def = nodeType(type) as NodeDefinition
  const values = Object.fromEntries(Object.entries(def.widgets).map(([k, w]) => [k, w.default]))
  return { ...(await def.execute(inputs, { ...values, ...widgets }, ctx)) }
}

/** A grey photo with a bright rectangle. */
function photo(w: number, h: number): RgbImage {
  const im = createRgbImage(w, h)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inside = x > w / 4 && x < (3 * w) / 4 && y > h / 4 && y < (3 * h) / 4
      im.data.fill(inside ? 220 : 40, (y * w + x) * 3, (y * w + x) * 3 + 3)
    }
  return im
}

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('Edges', () => {
  it('gives exactly the drawing `step dataset edges` makes (same code, same defaults)', async () => {
    const p = photo(96, 64)
    const batch = imagesToBatch([p])
    const { images } = await exec('step/edges', { images: batch })
    const [drawing] = await batchToImages(images as tf.Tensor4D)
    expect(Array.from(drawing?.data ?? [])).toEqual(Array.from(detectEdges(p).data))
    const dark = (drawing?.data ?? new Uint8Array()).filter((v) => v < 128).length / 3
    expect(dark).toBeGreaterThan(100) // the rectangle's outline, about 2 * (48 + 32) pixels
    expect(dark).toBeLessThan(400)
    tf.dispose([batch, images as tf.Tensor])
  })

  it('passes its widgets on: thicker lines give more dark pixels', async () => {
    const batch = imagesToBatch([photo(96, 64)])
    const count = async (thickness: number) => {
      const { images } = await exec('step/edges', { images: batch }, { thickness })
      const n = (await (images as tf.Tensor).data()).filter((v) => v < 0).length
      ;(images as tf.Tensor).dispose()
      return n
    }
    expect(await count(3)).toBeGreaterThan(2 * (await count(1)))
    batch.dispose()
  })
})

describe('Fit / Resize', () => {
  it('cover, contain, stretch give width x height; max side only scales down', async () => {
    const batch = imagesToBatch([photo(400, 300)])
    const shape = async (widgets: Record<string, unknown>) => {
      const { images } = await exec('step/fit-image', { images: batch }, widgets)
      const s = (images as tf.Tensor).shape
      ;(images as tf.Tensor).dispose()
      return s
    }
    expect(await shape({ mode: 'cover', width: 64, height: 32 })).toEqual([1, 32, 64, 3])
    expect(await shape({ mode: 'contain', width: 64, height: 64 })).toEqual([1, 64, 64, 3])
    expect(await shape({ mode: 'stretch', width: 10, height: 70 })).toEqual([1, 70, 10, 3])
    expect(await shape({ mode: 'max side', max_side: 100 })).toEqual([1, 75, 100, 3])
    expect(await shape({ mode: 'max side', max_side: 1024 })).toEqual([1, 300, 400, 3])
    batch.dispose()
  })
})

describe('Load Image', () => {
  it('scales a 2000x1000 file down to max_side (default 1024) before it becomes a tensor', async () => {
    for (const [max_side, shape] of [
      [1024, [1, 512, 1024, 3]],
      [300, [1, 150, 300, 3]],
    ] as const) {
      const { image } = await exec('step/load-image', {}, { path: 'big.png', max_side })
      expect((image as tf.Tensor).shape).toEqual(shape)
      ;(image as tf.Tensor).dispose()
    }
  })
})
