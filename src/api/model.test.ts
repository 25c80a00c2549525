/**
 * The library API on the shipped default model: every method against the inference functions it
 * wraps, every image form, loading by path and by URL, and the errors a caller sees.
 */
import * as tf from '@tensorflow/tfjs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../core/image/decode.js'
import { encodePng } from '../core/image/encode.js'
import { imagesToBatch } from '../core/image/tensor.js'
import type { RgbImage } from '../core/image/types.js'
import { DEFAULT_MODEL } from '../runtime/env.node.js'
import { fitContent, fitStyle } from '../inference/image-fit.js'
import { encode, generate } from '../inference/model.js'
import { loadCheckpoint } from '../checkpoint/folder-store.node.js'
import { modelFromCheckpoint, disposeModel } from '../inference/load.js'
import { loadModel, type Model } from './index.js'

const IMAGES = join(import.meta.dirname, '../../examples/images')
let model: Model
let style: RgbImage
let content: RgbImage

beforeAll(async () => {
  await tf.setBackend('cpu')
  model = await loadModel(DEFAULT_MODEL)
  style = decodeImage(new Uint8Array(await readFile(join(IMAGES, 'style-1.png'))))
  content = decodeImage(new Uint8Array(await readFile(join(IMAGES, 'content-1.png'))))
})
afterAll(() => model.dispose())

const same = (a: RgbImage, b: RgbImage) =>
  a.width === b.width && a.height === b.height && a.data.every((v, i) => v === b.data[i])
/** Equal up to float rounding across code paths: at most one 8-bit level anywhere. */
const withinOneLevel = (a: RgbImage, b: RgbImage) =>
  a.width === b.width &&
  a.height === b.height &&
  a.data.every((v, i) => Math.abs(v - (b.data[i] ?? -9)) <= 1)

describe('loadModel (Node, a folder)', () => {
  it('encodes a style as E does, from a path, bytes, pixels or a tensor alike', async () => {
    const ref = await modelFromCheckpoint(await loadCheckpoint(DEFAULT_MODEL), DEFAULT_MODEL)
    const z = tf.tidy(() => encode(ref, imagesToBatch([fitStyle(style, model.size)])))
    const expected = Array.from(await z.data())
    z.dispose()
    disposeModel(ref)
    const path = join(IMAGES, 'style-1.png')
    const rgba = {
      width: style.width,
      height: style.height,
      data: Uint8ClampedArray.from({ length: style.width * style.height * 4 }, (_, i) =>
        i % 4 === 3 ? 255 : (style.data[(i >> 2) * 3 + (i % 4)] ?? 0),
      ),
    }
    const t = imagesToBatch([style])
    for (const input of [path, await readFile(path), encodePng(style), style, rgba, t]) {
      const code = await model.encode(input instanceof Buffer ? new Uint8Array(input) : input)
      expect(code).toHaveLength(model.zDim)
      expect(Array.from(code)).toEqual(expected)
    }
    t.dispose()
  })

  it('generates with an image style or its code, as G(A, E(S)) does', async () => {
    const byImage = await model.generate(content, style)
    const byCode = await model.generate(content, await model.encode(style))
    expect(same(byImage, byCode)).toBe(true)
    expect([byImage.width, byImage.height]).toEqual([model.size, model.size])
    const ref = await modelFromCheckpoint(await loadCheckpoint(DEFAULT_MODEL), DEFAULT_MODEL)
    const out = tf.tidy(() =>
      generate(
        ref,
        imagesToBatch([fitContent(content, model.size)]),
        encode(ref, imagesToBatch([fitStyle(style, model.size)])),
      ),
    )
    const [expected] = await (await import('../core/image/tensor.js')).batchToImages(out)
    out.dispose()
    disposeModel(ref)
    expect(expected && withinOneLevel(byImage, expected)).toBe(true)
    const mean = await model.generate(content, style, { strength: 0 })
    expect(same(mean, byImage)).toBe(false)
  })

  it('samples `count` different images, the same for the same seed', async () => {
    expect(model.canSample).toBe(true)
    const a = await model.sample(content, { count: 3, seed: 7 })
    const b = await model.sample(content, { count: 3, seed: 7 })
    expect(a).toHaveLength(3)
    expect(a.every((im, i) => same(im, b[i] as RgbImage))).toBe(true)
    expect(same(a[0] as RgbImage, a[1] as RgbImage)).toBe(false)
  })

  it('interpolates through styles: both ends are the styles themselves', async () => {
    const s2 = decodeImage(new Uint8Array(await readFile(join(IMAGES, 'style-2.png'))))
    const strip = await model.interpolate(content, [style, s2, style], { steps: 3 })
    expect(strip).toHaveLength(5) // 3 + 2: the second segment starts past its t = 0
    // an interpolated code is a blend computed in float: the ends match to one 8-bit level
    expect(withinOneLevel(strip[0] as RgbImage, await model.generate(content, style))).toBe(true)
    expect(withinOneLevel(strip[2] as RgbImage, await model.generate(content, s2))).toBe(true)
    expect(same(strip[4] as RgbImage, strip[0] as RgbImage)).toBe(true)
  })

  it('scales a content larger than maxSide down before it allocates', async () => {
    const small = await loadModel(DEFAULT_MODEL, { maxSide: 2 * model.size })
    try {
      const [w, h] = [6 * model.size, 4 * model.size]
      const big = { width: w, height: h, data: new Uint8Array(w * h * 3).fill(200) }
      const out = await small.generate(big, style)
      // scaled to 2 size x 1.33 size, then cut to multiples of 8 (the generator's)
      const side = Math.round((4 / 3) * model.size)
      expect([out.width, out.height]).toEqual([2 * model.size, side - (side % 8)])
    } finally {
      small.dispose()
    }
  })

  it('names what is wrong: a bad code, a missing file, a disposed model', async () => {
    await expect(model.generate(content, [1, 2])).rejects.toThrow(
      new RegExp(`style: a style code has ${model.zDim} finite numbers, got 2`),
    )
    await expect(model.encode('no/such/style.png')).rejects.toThrow(
      /no\/such\/style\.png: file not found/,
    )
    await expect(model.interpolate(content, [style])).rejects.toThrow(/at least 2 styles/)
    const other = await loadModel(DEFAULT_MODEL)
    other.dispose()
    await expect(other.encode(style)).rejects.toThrow(/this model was disposed/)
  })
})

describe('loadModel (a URL)', () => {
  it('fetches the same model over HTTP(S) through the given fetch', async () => {
    const served: string[] = []
    const fetcher = (async (url: string | URL) => {
      const name = url.toString().replace('https://models.test/default/', '')
      served.push(name)
      return new Response(new Uint8Array(await readFile(join(DEFAULT_MODEL, name))))
    }) as typeof fetch
    const remote = await loadModel('https://models.test/default/', { fetch: fetcher })
    try {
      expect(served).toContain('manifest.json')
      expect(Array.from(await remote.encode(style))).toEqual(Array.from(await model.encode(style)))
    } finally {
      remote.dispose()
    }
  })
})
