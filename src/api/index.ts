/**
 * StEP graph as a library: `loadModel(pathOrUrl)` and the image helpers around it. The same
 * entry point works in Node, a page and a worker; see the README's "Library" section.
 */
export {
  loadModel,
  type LoadModelOptions,
  type Model,
  type StyleCode,
  type StyleInput,
} from './model.js'
export { readImageInput, type ImageInput, type RgbaPixels } from './images.js'
export { encodePng } from '../core/image/encode.js'
export { decodeImage } from '../core/image/decode.js'
export type { RgbImage } from '../core/image/types.js'
export {
  initBackend,
  describeBackend,
  type BackendChoice,
  type BackendInfo,
} from '../runtime/backend.js'
