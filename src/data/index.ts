/**
 * Datasets: image stores, pix2pix-format paired data, batching, synthetic data and edge maps.
 * Browser-safe; the Node-only parts are folder-store.node.ts, output-dir.node.ts, edges-dataset.node.ts and
 * synth/write-node.ts.
 */
export * from './store.js'
export * from './browser-store.js'
export * from './paired.js'
export * from './batches.js'
export * from './synth/index.js'
export * from './edges/index.js'
