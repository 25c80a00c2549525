/** The graph runtime's Node-only parts: the folder environment and the headless runner. */
export * from './env.node.js'
export * from './headless.node.js'
