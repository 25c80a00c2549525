/**
 * The library API's model: load a trained StEP model from a folder (Node) or a URL (anywhere),
 * then encode styles, generate, sample and interpolate on plain image inputs (images.ts), with no
 * graph. The same code runs in Node, a page and a worker.
 */
import * as tf from '@tensorflow/tfjs'
import { InputError } from '../core/errors.js'
import { fitImage } from '../core/image/resize.js'
import { batchToImages, imagesToBatch } from '../core/image/tensor.js'
import type { RgbImage } from '../core/image/types.js'
import {
  activeBackend,
  detectPlatform,
  initBackend,
  type BackendChoice,
} from '../runtime/backend.js'
import { fetchCheckpoint } from '../checkpoint/fetch-store.js'
import type { LoadedCheckpoint } from '../checkpoint/loaded.js'
import { fitContent, fitStyle } from '../inference/image-fit.js'
import {
  encode as encodeBatch,
  generate as generateBatch,
  interpolateCodes,
  sample as sampleBatch,
  styleStrength,
  type StepModel,
} from '../inference/model.js'
import { disposeModel, modelFromCheckpoint } from '../inference/load.js'
import { readImageInput, type ImageInput } from './images.js'
import { localPath } from './location.js'

/** A style code: E(S) of an image, or any vector of the model's zDim. */
export type StyleCode = Float32Array | readonly number[]

/** A style given as an image (encoded with E) or as a code. */
export type StyleInput = ImageInput | StyleCode

/** Options of loadModel. */
export interface LoadModelOptions {
  /** Backend to start when none runs yet (default 'auto'); a running backend is kept. */
  readonly backend?: BackendChoice
  /** wasm threads when the backend is started here (default every core, at most 8). */
  readonly threads?: number
  /**
   * Content images whose longer side exceeds this are scaled down to it first (default 1024), so
   * a photo never allocates more than the machine can hold.
   */
  readonly maxSide?: number
  /** Fetch used for URLs (default globalThis.fetch). */
  readonly fetch?: typeof fetch
}

/** A loaded model; every method takes plain images and returns 8-bit RGB images. */
export interface Model {
  /** The side the model was trained at: styles are fitted to it, smaller contents too. */
  readonly size: number
  /** Length of a style code. */
  readonly zDim: number
  /** Whether the model has a mapper (sample needs one). */
  readonly canSample: boolean
  /** The style code E(S) of an image. */
  encode(style: ImageInput): Promise<Float32Array>
  /**
   * G(A, z): the content in a style (an image, encoded with E, or a code). `strength` scales the
   * style around the training set's mean (0: the mean style, 1: as given, > 1: exaggerated).
   */
  generate(
    content: ImageInput,
    style: StyleInput,
    options?: { strength?: number },
  ): Promise<RgbImage>
  /** `count` random styles G(A, M(e)), e ~ N(0, I) drawn from `seed` (default 4 and 1). */
  sample(content: ImageInput, options?: { count?: number; seed?: number }): Promise<RgbImage[]>
  /**
   * The content through styles S1 -> S2 -> ... (at least 2): `steps` outputs per segment, both
   * ends included (default 7), codes mixed linearly or spherically (default 'lerp').
   */
  interpolate(
    content: ImageInput,
    styles: readonly StyleInput[],
    options?: { steps?: number; mode?: 'lerp' | 'slerp' },
  ): Promise<RgbImage[]>
  /** Frees the weights. */
  dispose(): void
}

/** The checkpoint at `source`: a folder under Node, else (or for http(s) URLs) fetched. */
async function loadGroups(source: string | URL, o: LoadModelOptions): Promise<LoadedCheckpoint> {
  const path = await localPath(source, detectPlatform() === 'node')
  if (path === null) return fetchCheckpoint(source.toString(), o.fetch ?? fetch)
  const { loadCheckpoint } = await import('../checkpoint/folder-store.node.js')
  return loadCheckpoint(path)
}

/** Loads the whole model (E, G and, when trained, M) at `source`; see the module comment. */
export async function loadModel(
  source: string | URL,
  options: LoadModelOptions = {},
): Promise<Model> {
  const maxSide = options.maxSide ?? 1024
  if (!(Number.isInteger(maxSide) && maxSide >= 16))
    throw new RangeError(`loadModel: maxSide must be an integer >= 16, got ${maxSide}`)
  if (!activeBackend() || options.backend)
    await initBackend({
      prefer: options.backend ?? 'auto',
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    })
  const label = source.toString()
  const loaded = await loadGroups(source, options)
  const size = loaded.manifest.dataset.size
  const model = await modelFromCheckpoint(loaded, label)
  return new LoadedModel(model, size, maxSide, label)
}

/** Model over a StepModel (see Model). */
class LoadedModel implements Model {
  readonly zDim: number
  private disposed = false

  constructor(
    private readonly model: StepModel,
    readonly size: number,
    private readonly maxSide: number,
    private readonly label: string,
  ) {
    this.zDim = model.encoder.config.zDim
  }

  get canSample(): boolean {
    return this.model.mapper !== null
  }

  async encode(style: ImageInput): Promise<Float32Array> {
    const z = await this.codes([style], 'style')
    try {
      return (await z.data()) as Float32Array
    } finally {
      z.dispose()
    }
  }

  async generate(
    content: ImageInput,
    style: StyleInput,
    options: { strength?: number } = {},
  ): Promise<RgbImage> {
    const strength = options.strength ?? 1
    if (!(strength >= 0 && strength <= 4))
      throw new RangeError(`generate: strength must be in 0..4, got ${strength}`)
    const a = await this.content(content)
    const z = await this.codes([style], 'style')
    return (
      await this.render(
        () => generateBatch(this.model, a, styleStrength(this.model, z, strength)),
        [a, z],
      )
    )[0] as RgbImage
  }

  async sample(
    content: ImageInput,
    options: { count?: number; seed?: number } = {},
  ): Promise<RgbImage[]> {
    const a = await this.content(content)
    return this.render(() => {
      const s = sampleBatch(this.model, a, options.count ?? 4, options.seed ?? 1)
      s.z.dispose()
      return s.images
    }, [a])
  }

  async interpolate(
    content: ImageInput,
    styles: readonly StyleInput[],
    options: { steps?: number; mode?: 'lerp' | 'slerp' } = {},
  ): Promise<RgbImage[]> {
    const steps = options.steps ?? 7
    if (styles.length < 2)
      throw new RangeError(`interpolate: needs at least 2 styles, got ${styles.length}`)
    if (!(Number.isInteger(steps) && steps >= 2 && steps <= 64))
      throw new RangeError(`interpolate: steps must be an integer in 2..64, got ${steps}`)
    const a = await this.content(content)
    const zs = await this.codes(styles, 'styles')
    const t = Array.from({ length: steps }, (_, i) => i / (steps - 1))
    return this.render(() => {
      const segments: tf.Tensor2D[] = []
      for (let k = 0; k + 1 < styles.length; k++) {
        const pair = tf.slice(zs, [k, 0], [2, this.zDim])
        // segments after the first start past t = 0: that is the previous segment's t = 1
        const ts = k === 0 ? t : t.slice(1)
        segments.push(interpolateCodes(pair, { t: ts, mode: options.mode ?? 'lerp' }, this.zDim))
      }
      return generateBatch(this.model, a, tf.concat(segments, 0))
    }, [a, zs])
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    disposeModel(this.model)
  }

  private live(): void {
    if (this.disposed) throw new InputError('model/disposed', 'this model was disposed', this.label)
  }

  /** The content fitted for G: scaled down to maxSide, then as the CLI fits it (image-fit.ts). */
  private async content(input: ImageInput): Promise<tf.Tensor4D> {
    this.live()
    let image = await readImageInput(input, 'content')
    const side = Math.max(image.width, image.height)
    if (side > this.maxSide) {
      const k = this.maxSide / side
      image = fitImage(
        image,
        Math.max(1, Math.round(image.width * k)),
        Math.max(1, Math.round(image.height * k)),
        'stretch',
      )
    }
    return imagesToBatch([fitContent(image, this.size)])
  }

  /** Codes [N, zDim] of styles given as images (encoded) or codes (checked). */
  private async codes(styles: readonly StyleInput[], where: string): Promise<tf.Tensor2D> {
    this.live()
    const rows: Float32Array[] = []
    for (const [i, s] of styles.entries()) {
      const name = styles.length === 1 ? where : `${where}[${i}]`
      if (s instanceof Float32Array || Array.isArray(s)) {
        const code = Float32Array.from(s as ArrayLike<number>)
        if (code.length !== this.zDim || code.some((v) => !Number.isFinite(v)))
          throw new InputError(
            'style/code',
            `a style code has ${this.zDim} finite numbers, got ${code.length}`,
            name,
          )
        rows.push(code)
      } else {
        const image = fitStyle(await readImageInput(s as ImageInput, name), this.size)
        const z = tf.tidy(() => encodeBatch(this.model, imagesToBatch([image])))
        rows.push((await z.data()) as Float32Array)
        z.dispose()
      }
    }
    const flat = new Float32Array(rows.length * this.zDim)
    rows.forEach((r, i) => flat.set(r, i * this.zDim))
    return tf.tensor2d(flat, [rows.length, this.zDim])
  }

  /** Runs `make`, reads its images back, frees it and `inputs`. */
  private async render(make: () => tf.Tensor4D, inputs: tf.Tensor[]): Promise<RgbImage[]> {
    try {
      const out = tf.tidy(make)
      try {
        return await batchToImages(out)
      } finally {
        out.dispose()
      }
    } finally {
      tf.dispose(inputs)
    }
  }
}
