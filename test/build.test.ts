/** The editor's library build (part of `npm run build`): one ES module exporting the public API. */
import { mkdtemp, readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { describe, expect, it } from 'vitest'

describe('editor library build', () => {
  it('emits step-graph-ui.js exporting the editor, plugin and runner, with its worker', async () => {
    const out = await mkdtemp(join(tmpdir(), 'step-lib-'))
    await build({
      configFile: join(process.cwd(), 'vite.lib.config.ts'),
      logLevel: 'error',
      build: { outDir: out, minify: false },
    })
    const entry = await readFile(join(out, 'step-graph-ui.js'), 'utf8')
    const exported =
      /export \{([^}]*)\}/.exec(entry.slice(entry.lastIndexOf('export {')))?.[1] ?? ''
    for (const name of ['StepEditor', 'installStepPlugin', 'registerStepNodes', 'WorkerRunner'])
      expect(exported).toContain(name)
    const worker = (await readdir(join(out, 'assets'))).find((f) => /^worker-.*\.js$/.test(f))
    expect(worker).toBeDefined()
    // library mode inlines assets: the wasm binaries travel inside the worker as data URLs
    const code = await readFile(join(out, 'assets', worker ?? ''), 'utf8')
    expect(code).toContain('data:application/wasm;base64,')
  }, 120_000)
})
