// Vite: `npm start` serves the editor (index.html) with the example presets, images and the
// shipped model; `npm run build` writes the app to dist-app/ (examples copied alongside) and the
// embeddable editor as one ES module, dist-app/step-editor.js.
import { cp } from 'node:fs/promises'
import { defineConfig, type Plugin } from 'vite'

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

export default defineConfig({
  server: { host: '127.0.0.1' },
  worker: { format: 'es' },
  build: {
    outDir: 'dist-app',
    target: 'es2022',
    rollupOptions: {
      input: { index: 'index.html', embed: 'examples/embed.html', plugin: 'examples/plugin.html' },
    },
  },
  plugins: [copyExamples()],
})
