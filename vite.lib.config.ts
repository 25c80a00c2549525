// The editor as an ES module library (npm run build): dist/ui/step-graph-ui.js with its worker
// (which carries the three tfjs-wasm binaries inline, the threaded one included) beside it; type
// declarations come from tsc (src/ui/tsconfig.build.json). base './' makes the worker's URL
// relative to the module, wherever the package is served from. Serving: docs/embedding.md.
import { defineConfig } from 'vite'
import { WORKER_OUTPUT } from './vite.config.js'

export default defineConfig({
  base: './',
  worker: { format: 'es', rolldownOptions: { output: WORKER_OUTPUT } },
  build: {
    outDir: 'dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: 'src/ui/index.ts', formats: ['es'], fileName: 'step-graph-ui' },
    rollupOptions: { external: ['lit', /^lit\//, '@comfyorg/litegraph', /^@tensorflow\//] },
  },
})
