/**
 * The procedural multi-modal paired dataset (the project's embedded default dataset): A = a line
 * drawing of a random scene, B = the same scene in a style from a continuous style space.
 * Note: this index includes the Node-only writer (write-node.ts, node:fs); browser code should
 * import the pure modules (scene.js, style.js, render.js, plan.js, manifest.js) directly.
 */
export type { Rgb } from './colour.js'
export * from './manifest.js'
export * from './plan.js'
export * from './raster.js'
export * from './render.js'
export * from './scene.js'
export * from './style.js'
export { SceneBuilder, ellipse, poly, type RegionOptions } from './shapes.js'
export * from './write-node.js'
