/**
 * Browser smoke test: the same codecs, backend selection and probe net in Debian's Chromium.
 * Skipped with a printed reason when Chromium is not installed, except in CI (CI=true), where
 * scripts/setup-system.sh installs it and a missing browser is a failure.
 */
import type { Server } from 'node:http'
import { mkdtemp, writeFile } from 'node:fs/promises'
import jpeg from 'jpeg-js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src/runtime/backend.js'
import { probeInput, probeWeights, runProbe } from '../fixtures/probe-net.js'
import { chromiumPath, launchChromium, serveStatic } from './chromium.js'

const CHROMIUM = chromiumPath()
const WASM_DIR = join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist')

interface Smoke {
  fatal?: string
  png: { same: boolean; width: number }
  jpeg: { width: number; height: number; mean: number }
  truncated: string
  auto: {
    backend: string
    platform: string
    attempts: { backend: string; ok: boolean; reason?: string }[]
  }
  results: {
    backend: string
    ok: boolean
    error?: string
    adapter?: string | null
    outputs?: number[][]
  }[]
}

const serve = (root: string) => serveStatic(root, { '/wasm/': WASM_DIR })

describe('in Chromium', () => {
  let smoke: Smoke | null = null
  let server: Server | null = null

  beforeAll(async () => {
    if (!CHROMIUM) return
    const out = await mkdtemp(join(tmpdir(), 'step-browser-'))
    await build({
      configFile: false,
      logLevel: 'error',
      build: {
        outDir: out,
        emptyOutDir: true,
        minify: false,
        target: 'es2022',
        lib: { entry: join(import.meta.dirname, 'entry.ts'), formats: ['es'], fileName: 'entry' },
      },
    })
    const rgba = new Uint8Array(8 * 4 * 4).fill(200)
    await writeFile(
      join(out, 'fixture.jpg'),
      jpeg.encode({ width: 8, height: 4, data: rgba }, 90).data,
    )
    await writeFile(
      join(out, 'index.html'),
      '<!doctype html><script type="module" src="/entry.js"></script>',
    )
    const served = await serve(out)
    server = served.server
    const browser = await launchChromium(CHROMIUM)
    try {
      const page = await browser.newPage()
      await page.goto(served.url)
      await page.waitForFunction(
        () => (window as unknown as { __stepSmoke?: unknown }).__stepSmoke !== undefined,
        null,
        { timeout: 150_000 },
      )
      smoke = (await page.evaluate(
        () => (window as unknown as { __stepSmoke: unknown }).__stepSmoke,
      )) as Smoke
    } finally {
      await browser.close()
    }
  }, 240_000)

  afterAll(() => {
    server?.close()
  })

  it('runs the codecs and every browser backend, matching Node cpu', async (ctx) => {
    if (!CHROMIUM) {
      if (process.env.CI)
        throw new Error('CI: /usr/bin/chromium is missing (scripts/setup-system.sh installs it)')
      console.warn(
        '[skip] browser smoke: no Chromium at /usr/bin/chromium (apt-get install chromium)',
      )
      ctx.skip('Chromium not installed')
      return
    }
    expect(smoke?.fatal).toBeUndefined()
    const s = smoke as Smoke
    expect(s.png).toEqual({ same: true, width: 8 })
    expect(s.jpeg.width).toBe(8)
    expect(Math.abs(s.jpeg.mean - 200)).toBeLessThan(3)
    expect(s.truncated).toBe('cut.png: truncated PNG: no IEND chunk in 40 bytes')
    expect(s.auto.platform).toBe('browser')
    expect(s.auto.attempts[0]?.backend).toBe('webgpu')
    console.log(
      `[browser] auto: ${s.auto.attempts.map((a) => `${a.backend}=${a.ok ? 'ok' : (a.reason ?? '')}`).join('; ')}`,
    )

    await initBackend({ prefer: 'cpu' })
    const reference = await runProbe(probeWeights(7), probeInput(11))
    expect(tf.getBackend()).toBe('cpu')
    for (const r of s.results) {
      console.log(
        `[browser] ${r.backend}: ${r.ok ? `ok${r.adapter ? ` (${r.adapter})` : ''}` : r.error}`,
      )
      expect(r.ok, `${r.backend}: ${r.error ?? ''}`).toBe(true)
      const diffs = (r.outputs ?? []).map((o, i) =>
        o.reduce((m, v, j) => Math.max(m, Math.abs(v - (reference[i]?.[j] ?? NaN))), 0),
      )
      expect(diffs).toHaveLength(3)
      for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4)
    }
  })
})
