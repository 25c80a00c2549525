// Vite: `npm start` serves the editor (index.html) with the example presets, images and the
// shipped model; `npm run build` writes the app to dist-app/ (examples copied alongside; the
// embeddable library is vite.lib.config.ts's).
// Dev server and `vite preview` send CROSS_ORIGIN_ISOLATION on every response (pages, the
// worker, wasm): the wasm backend needs it for more than one thread (docs/embedding.md).
import { cp } from 'node:fs/promises'
import { defineConfig, type Plugin } from 'vite'

/**
 * Headers that make a page cross-origin isolated (SharedArrayBuffer, so wasm threads).
 * require-corp rather than credentialless: every engine with SharedArrayBuffer supports it, and
 * all the editor loads is same-origin or fetched with CORS.
 */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const

function copyExamples(): Plugin {
  let outDir = 'dist-app'
  return {
    name: 'step-copy-examples',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    async closeBundle() {
      for (const dir of ['presets', 'browser', 'images', 'models'])
        await cp(`examples/${dir}`, `${outDir}/examples/${dir}`, { recursive: true })
    },
  }
}

/**
 * The worker bundle is minified without compression: tfjs-wasm's threaded build starts its
 * pthread workers from the source text of a function that tests `typeof _scriptDir`, and the
 * compressor rewrites that into a plain comparison that throws outside its closure (more than
 * one thread would then never start). Mangling and whitespace removal are safe.
 */
export const WORKER_OUTPUT = { minify: { compress: false, mangle: true } } as const

export default defineConfig({
  server: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
  preview: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
  worker: { format: 'es', rolldownOptions: { output: WORKER_OUTPUT } },
  build: {
    outDir: 'dist-app',
    target: 'es2022',
    rollupOptions: {
      input: { index: 'index.html', embed: 'examples/embed.html', plugin: 'examples/plugin.html' },
    },
  },
  plugins: [copyExamples()],
})
