/**
 * The picture sheets `step demo` makes with a whole model (E, G, M): reconstructions G(A, E(B)),
 * random samples, style transfer and an N-way interpolation strip, each a grid PNG. Inputs are content (A) and style
 * (B) images already fitted to the model's size.
 */
import * as tf from '@tensorflow/tfjs'
import { grid } from '../core/image/compose.js'
import { batchToImages, imagesToBatch } from '../core/image/tensor.js'
import { createRgbImage, type RgbImage } from '../core/image/types.js'
import { encode, generate, interpolate, sample } from '../inference/model.js'
import type { TranslationModel } from '../models/translator.js'

/** A blank (white) cell of the given size. */
function blank(size: number): RgbImage {
  const img = createRgbImage(size, size)
  img.data.fill(255)
  return img
}

/** Runs a tensor-producing step and returns its images; the tensors are freed. */
async function images(make: () => tf.Tensor4D): Promise<RgbImage[]> {
  const t = make()
  try {
    return await batchToImages(t)
  } finally {
    t.dispose()
  }
}

/** Rows: each content A followed by `count` samples G(A, M(e)) (seeds 1..count per row). */
export async function samplesSheet(
  model: TranslationModel,
  contents: readonly RgbImage[],
  count: number,
): Promise<RgbImage> {
  const cells: RgbImage[] = []
  for (const [row, a] of contents.entries()) {
    const x = imagesToBatch([a])
    try {
      const outs = await images(() => {
        const s = sample(model, x, count, row + 1)
        s.z.dispose()
        return s.images
      })
      cells.push(a, ...outs)
    } finally {
      x.dispose()
    }
  }
  return grid(cells, count + 1)
}

/** Columns: the pairs (A, B); rows: every A, every B, then G(A, E(B)) (reconstruction). */
export async function reconstructionSheet(
  model: TranslationModel,
  contents: readonly RgbImage[],
  styles: readonly RgbImage[],
): Promise<RgbImage> {
  if (contents.length !== styles.length || contents.length === 0)
    throw new RangeError(
      `reconstructionSheet: ${contents.length} contents for ${styles.length} styles`,
    )
  const a = imagesToBatch(contents)
  const b = imagesToBatch(styles)
  try {
    const outs = await images(() => tf.tidy(() => generate(model, a, encode(model, b))))
    return grid([...contents, ...styles, ...outs], contents.length)
  } finally {
    tf.dispose([a, b])
  }
}

/** Top row: the styles; then per content A: A and G(A, E(style)) for every style. */
export async function transferSheet(
  model: TranslationModel,
  contents: readonly RgbImage[],
  styles: readonly RgbImage[],
): Promise<RgbImage> {
  const size = contents[0]?.width ?? 0
  const cells: RgbImage[] = [blank(size), ...styles]
  const s = imagesToBatch(styles)
  const z = encode(model, s)
  try {
    for (const a of contents) {
      const x = imagesToBatch([a])
      try {
        cells.push(a, ...(await images(() => generate(model, x, z))))
      } finally {
        x.dispose()
      }
    }
  } finally {
    tf.dispose([s, z])
  }
  return grid(cells, styles.length + 1)
}

/**
 * Walks S1 -> S2 -> ... -> SN in `steps` outputs per segment (slerp on the codes) for one
 * content: top row the style images above the outputs that reproduce them, bottom row A + outputs.
 */
export async function interpolationStrip(
  model: TranslationModel,
  content: RgbImage,
  styles: readonly RgbImage[],
  steps: number,
): Promise<RgbImage> {
  const size = content.width
  const s = imagesToBatch(styles)
  const zs = encode(model, s)
  const x = imagesToBatch([content])
  const outs: RgbImage[] = []
  try {
    const t = Array.from({ length: steps }, (_, k) => k / (steps - 1))
    for (let seg = 0; seg + 1 < styles.length; seg++) {
      const pair = tf.slice(zs, seg, 2)
      try {
        const strip = await images(() => {
          const r = interpolate(model, x, pair, { t, mode: 'slerp' })
          r.z.dispose()
          return r.images
        })
        outs.push(...(seg === 0 ? strip : strip.slice(1)))
      } finally {
        pair.dispose()
      }
    }
  } finally {
    tf.dispose([s, zs, x])
  }
  const top: RgbImage[] = [blank(size)]
  outs.forEach((_, k) => {
    const onStyle = k % (steps - 1) === 0
    top.push(onStyle ? (styles[k / (steps - 1)] ?? blank(size)) : blank(size))
  })
  return grid([...top, content, ...outs], outs.length + 1)
}
