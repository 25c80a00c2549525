// The editor as an ES module library (npm run build): dist/ui/step-graph-ui.js with its worker
// and wasm files beside it; type declarations come from tsc (src/ui/tsconfig.build.json).
import { defineConfig } from 'vite'

export default defineConfig({
  worker: { format: 'es' },
  build: {
    outDir: 'dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: 'src/ui/index.ts', formats: ['es'], fileName: 'step-graph-ui' },
    rollupOptions: { external: ['lit', /^lit\//, '@comfyorg/litegraph', /^@tensorflow\//] },
  },
})
