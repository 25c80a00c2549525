/** Datasets: image stores, pix2pix-format paired data, batching, synthetic data and edge maps. */
export * from './store.js'
export * from './browser-store.js'
export * from './paired.js'
export * from './batches.js'
