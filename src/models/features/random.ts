/**
 * A small seeded random conv net with the FeatureExtractor interface, FOR TESTS ONLY: it has never
 * been trained, so its "style distances" mean nothing. It exists so that pipelines can be tested
 * quickly without the 102 MB ResNet50 or a user-supplied VGG-16.
 */
import * as tf from '@tensorflow/tfjs'
import { assertSeed } from '../../core/rng.js'
import { eqConv2d } from '../ops.js'
import { Params } from '../params.js'
import { fingerprintOf } from './hash.js'
import { assertImages, checkInputSize, resizeTo } from './preprocess.js'
import type { FeatureExtractor } from './types.js'

/** Output channels of the three 3x3 stride-2 ReLU convolutions (taps conv1..conv3). */
export const RANDOM_CHANNELS = [16, 32, 64] as const

/** Default input side of the random test net. */
export const RANDOM_DEFAULT_SIZE = 64

/** Builds the random test net from `seed`: taps conv1..conv3 at S/2, S/4, S/8. */
export function createRandomExtractor(
  options: { seed?: number; inputSize?: number } = {},
): FeatureExtractor {
  const seed = assertSeed(options.seed ?? 0)
  const size = checkInputSize(options.inputSize ?? RANDOM_DEFAULT_SIZE, 8, 'random')
  const params = new Params(seed, 'random')
  const convs = RANDOM_CHANNELS.map((cout, i) => {
    const cin = i === 0 ? 3 : (RANDOM_CHANNELS[i - 1] ?? 3)
    return {
      w: params.normal(`conv${i + 1}/w`, [3, 3, cin, cout]) as tf.Variable<tf.Rank.R4>,
      b: params.normal(`conv${i + 1}/b`, [cout], 0.1) as tf.Variable<tf.Rank.R1>,
    }
  })
  const layers = convs.map((_, i) => `conv${i + 1}`)
  let disposed = false
  return {
    id: 'random',
    description:
      `random (TEST ONLY, untrained) conv net, seed ${seed}, ` +
      `channels ${RANDOM_CHANNELS.join('/')}, input ${size}x${size}`,
    fingerprint: fingerprintOf('random', {
      seed,
      arch: `conv3x3s2-relu ${RANDOM_CHANNELS.join('/')}`,
      inputSize: size,
      preprocessing: 'none ([-1, 1])',
    }),
    layers,
    inputSize: size,
    extract(images) {
      if (disposed) throw new Error("feature extractor 'random' was disposed")
      assertImages(images, 'random.extract')
      return tf.tidy(() => {
        const outs: tf.Tensor4D[] = []
        let x = resizeTo(images, size)
        for (const { w, b } of convs) {
          x = tf.relu(eqConv2d(x, w, b, 2, 'same'))
          outs.push(x)
        }
        return outs
      })
    },
    dispose() {
      disposed = true
      params.dispose()
    },
  }
}
