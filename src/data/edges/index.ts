/** Edge detection: photos to edges2photos-style line drawings (Canny). */
export { defaultEdgeOptions, detectEdges, edgeMask, type EdgeOptions } from './canny.js'
export {
  gaussianBlur,
  estimateNoise,
  gaussianKernel,
  gradientNoiseGain,
  luminance,
  nonMaxSuppression,
  sobel,
  type Gradients,
  type Plane,
} from './filters.js'
export { autoThresholds, hysteresis, type Thresholds } from './threshold.js'
