/**
 * The procedural multi-modal paired dataset (the project's embedded default dataset): A = a line
 * drawing of a random scene, B = the same scene in a style from a continuous style space.
 * Pure (runs in browsers and workers); the Node-only folder writer is write.node.ts.
 */
export type { Rgb } from './colour.js'
export * from './manifest.js'
export * from './plan.js'
export * from './raster.js'
export * from './render.js'
export * from './scene.js'
export * from './style.js'
export { SceneBuilder, ellipse, poly, type RegionOptions } from './shapes.js'
