/**
 * The output-domain (style) images of a dataset split, fitted to a square size (cover policy),
 * decoded on demand with a bounded in-memory cache so large datasets stream.
 */
import type * as tf from '@tensorflow/tfjs'
import { fitImage } from '../core/image/resize.js'
import { imagesToBatch } from '../core/image/tensor.js'
import type { RgbImage } from '../core/image/types.js'
import type { PairedDataset, Split } from '../data/paired.js'

/** Indexed access to style images. */
export class StyleImages {
  readonly names: readonly string[]
  private readonly cache = new Map<number, RgbImage>()

  /** `cacheLimit` decoded images are kept (least recently used are dropped). */
  constructor(
    readonly dataset: PairedDataset,
    readonly split: Split,
    readonly size: number,
    private readonly cacheLimit = 4096,
  ) {
    this.names = dataset.split(split)
    if (this.names.length < 2) {
      throw new RangeError(
        `${dataset.label}: split '${split}' has ${this.names.length} images; stage 1 needs at least 2`,
      )
    }
  }

  /** Number of images. */
  get count(): number {
    return this.names.length
  }

  /** One image, fitted to size x size. */
  async image(index: number): Promise<RgbImage> {
    const hit = this.cache.get(index)
    if (hit) {
      this.cache.delete(index)
      this.cache.set(index, hit)
      return hit
    }
    const name = this.names[index]
    if (name === undefined)
      throw new RangeError(`style image ${index} out of range [0, ${this.count})`)
    const img = fitImage((await this.dataset.load(name)).output, this.size, this.size, 'cover')
    this.cache.set(index, img)
    if (this.cache.size > this.cacheLimit) {
      const oldest = this.cache.keys().next().value
      if (oldest !== undefined) this.cache.delete(oldest)
    }
    return img
  }

  /** A batch tensor [B, size, size, 3] in [-1, 1] of the given indices. */
  async batch(indices: readonly number[]): Promise<tf.Tensor4D> {
    return imagesToBatch(await Promise.all(indices.map((i) => this.image(i))))
  }
}
