/**
 * VGG-16 (the paper's style network) from a user-supplied tfjs layers model.
 *
 * No VGG weights ship with this project. To make a model:
 *   1. In Python with TensorFlow <= 2.15 (Keras 2; with Keras 3 set TF_USE_LEGACY_KERAS=1 and
 *      install tf_keras):   pip install tensorflow==2.15 tensorflowjs
 *        import tensorflow as tf
 *        tf.keras.applications.VGG16(weights='imagenet', include_top=False).save('vgg16.h5')
 *   2. Convert it:
 *        tensorflowjs_converter --input_format keras vgg16.h5 out/
 *      (out/ then holds model.json and group1-shard*.bin, about 58 MB).
 *   3. Use it:  step ... --features vgg16:out/model.json
 *      (or vgg16:out/ or vgg16:https://example.org/vgg16/model.json)
 *
 * Taps: the post-ReLU outputs of conv1_2, conv2_2, conv3_2, conv4_2, conv5_2, found under the
 * Keras names block1_conv2 ... block5_conv2 or the Caffe names conv1_2 ... conv5_2. Input is the
 * caffe convention (0..255, BGR, ImageNet mean removed); the trunk is truncated after conv5_2.
 */
import { fingerprintOf, fnv1a64 } from './hash.js'
import { pretrainedExtractor } from './layers-extractor.js'
import { CAFFE_PREPROCESSING, checkInputSize } from './preprocess.js'
import { openModelFiles } from './source.js'
import { layerName, parseModelJson, type ModelJson } from './topology.js'
import type { FeatureExtractor } from './types.js'
import { loadTrunk } from './weights.js'

/** The five VGG-16 taps: Keras name first, then the Caffe-style alias. */
export const VGG16_TAPS = [
  ['block1_conv2', 'conv1_2'],
  ['block2_conv2', 'conv2_2'],
  ['block3_conv2', 'conv3_2'],
  ['block4_conv2', 'conv4_2'],
  ['block5_conv2', 'conv5_2'],
] as const

/** Default input side for VGG-16 (the 64 px training resolution; conv5_2 is then 4x4). */
export const VGG16_DEFAULT_SIZE = 64

/** The tap layers present in `model`, or an error naming the missing ones. */
export function findVggTaps(model: ModelJson, where: string): { names: string[]; relu: boolean[] } {
  const layers = model.config.config.layers
  const byName = new Map(layers.map((l) => [layerName(l), l]))
  const names: string[] = []
  const missing: string[] = []
  for (const aliases of VGG16_TAPS) {
    const found = aliases.find((a) => byName.has(a))
    if (found) names.push(found)
    else missing.push(aliases.join(' / '))
  }
  if (missing.length > 0) {
    const present = layers.map(layerName)
    throw new Error(
      `${where}: not a VGG-16 model: missing layer(s) ${missing.join(', ')}; ` +
        `it has ${present.length} layers: ${present.slice(0, 12).join(', ')}` +
        (present.length > 12 ? ', ...' : ''),
    )
  }
  // Keras VGG16 convolutions apply their ReLU inside the layer; add one where they do not.
  const relu = names.map((n) => byName.get(n)?.config['activation'] !== 'relu')
  return { names, relu }
}

/** Loads `vgg16:<source>`: a tfjs layers VGG-16 from a local path or an http(s) URL. */
export async function loadVgg16(
  source: string,
  options: { inputSize?: number } = {},
): Promise<FeatureExtractor> {
  const id = `vgg16:${source}`
  if (source.trim() === '') {
    throw new Error('vgg16: give a model path or URL after the colon, e.g. vgg16:out/model.json')
  }
  const size = checkInputSize(options.inputSize ?? VGG16_DEFAULT_SIZE, 32, id)
  const files = await openModelFiles(source, id)
  const model = parseModelJson(files.modelJson, files.location)
  const { names, relu } = findVggTaps(model, files.location)
  const net = await loadTrunk(model, files, names, size)
  return pretrainedExtractor(net, {
    id,
    description:
      `VGG-16 from ${files.location}, taps ${names.join(', ')}, input ${size}x${size}, ` +
      'caffe preprocessing',
    fingerprint: fingerprintOf('vgg16', {
      modelJson: fnv1a64(files.modelJson),
      taps: names,
      inputSize: size,
      preprocessing: CAFFE_PREPROCESSING,
    }),
    layers: names,
    inputSize: size,
    reluAfter: relu,
  })
}
