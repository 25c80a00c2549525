/**
 * Every core in the browser, end to end in Debian's Chromium. The app is built with the
 * project's vite config as `npm run build` builds it (minified: the default minifier breaks
 * tfjs-wasm's pthread workers unless the worker bundle skips compression, vite.config.ts) and
 * served by `vite preview` with that config's headers: the pages, the editor's worker and the
 * wasm files carry COOP/COEP, the editor is cross-origin isolated and its wasm backend runs 2
 * threads with ?threads=2 and every core (at most 8) by default, as the status bar and the
 * backend-ready event say; a training run shows its images/s in the status bar. Served without
 * the headers, the editor runs 1 thread and the status bar says why. The dev server (`npm
 * start`) is checked over HTTP. Skipped (with the reason) without Chromium, except in CI, where
 * a missing browser fails.
 */
import type { Server } from 'node:http'
import { mkdir, mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { build, createServer, preview, type PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPreset } from '../../src/runtime/preset.js'
import { CROSS_ORIGIN_ISOLATION } from '../../vite.config.js'
import { chromiumPath, launchChromium, serveStatic } from './chromium.js'

const CHROMIUM = chromiumPath()
const CONFIG = join(process.cwd(), 'vite.config.ts')
const SHOTS = join(process.cwd(), 'test-results', 'e2e')

interface Ready {
  backend: string
  threads: { requested: number; threads: number; note?: string } | null
  label: string
}
interface Editor extends HTMLElement {
  backendInfo: Ready | null
  status: string
  load(source: object): Promise<void>
  run(): Promise<{ status: string }>
  cancel(): void
}

let out = ''
let isolated: PreviewServer | null = null
let plain: Server | null = null
let browser: Browser | null = null

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'step-threads-'))
  await build({
    configFile: CONFIG,
    logLevel: 'error',
    build: { outDir: out, emptyOutDir: true },
  })
  isolated = await preview({
    configFile: CONFIG,
    logLevel: 'error',
    build: { outDir: out },
    preview: { port: 0 },
  })
  plain = (await serveStatic(out)).server
  if (CHROMIUM) browser = await launchChromium(CHROMIUM)
  await mkdir(SHOTS, { recursive: true })
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await isolated?.close()
  plain?.close()
})

const urlOf = (s: PreviewServer | null) => s?.resolvedUrls?.local[0] ?? 'preview not started'
const plainUrl = () => {
  const a = plain?.address()
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`
}

function needsChromium(ctx: { skip: (note: string) => void }): boolean {
  if (CHROMIUM) return false
  if (process.env.CI || process.env.STEP_REQUIRE_WEBGPU === '1')
    throw new Error('CI: /usr/bin/chromium is missing (scripts/setup-system.sh installs it)')
  console.warn('[skip] threads e2e: no Chromium at /usr/bin/chromium (apt-get install chromium)')
  ctx.skip('Chromium not installed')
  return true
}

/** The isolation headers of a response, by the names vite.config.ts sends. */
async function isolationHeaders(url: string): Promise<Record<string, string | null>> {
  const res = await fetch(url)
  expect(res.status, url).toBe(200)
  await res.arrayBuffer()
  return Object.fromEntries(Object.keys(CROSS_ORIGIN_ISOLATION).map((k) => [k, res.headers.get(k)]))
}

/** Opens the editor at `url`; resolves with the page and the backend-ready event's detail. */
async function openEditor(url: string): Promise<{ page: Page; ready: Ready }> {
  const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 800 } })
  page.on('pageerror', (err) => console.warn(`[page error] ${err.message}`))
  await page.addInitScript(() => {
    document.addEventListener('backend-ready', (e) => {
      ;(window as unknown as { ready: unknown }).ready = (e as CustomEvent).detail
    })
  })
  await page.goto(url)
  await page.waitForFunction(() => 'ready' in window, null, { timeout: 120_000 })
  const ready = await page.evaluate(() => (window as unknown as { ready: Ready }).ready)
  return { page, ready }
}

const footer = (page: Page) =>
  page.evaluate(
    () => document.querySelector('step-editor')?.shadowRoot?.querySelector('#backend')?.textContent,
  )

describe('cross-origin isolation', () => {
  it('dev server and preview send COOP/COEP on pages, the worker and wasm', async () => {
    const expected = { ...CROSS_ORIGIN_ISOLATION }
    const assets = await readdir(join(out, 'assets'))
    const worker = assets.find((f) => /^worker-.*\.js$/.test(f))
    const wasm = assets.find((f) => f.endsWith('.wasm'))
    expect(worker).toBeDefined()
    expect(wasm).toBeDefined()
    for (const path of ['index.html', 'examples/embed.html', `assets/${worker}`, `assets/${wasm}`])
      expect(await isolationHeaders(urlOf(isolated) + path), path).toEqual(expected)

    const dev = await createServer({ configFile: CONFIG, logLevel: 'error', server: { port: 0 } })
    try {
      await dev.listen()
      const base = dev.resolvedUrls?.local[0] ?? ''
      for (const path of ['', 'src/ui/worker.ts?worker_file&type=module'])
        expect(await isolationHeaders(base + path), `dev ${path}`).toEqual(expected)
    } finally {
      await dev.close()
    }
  }, 120_000)

  it('the editor is isolated and wasm runs every core by default, 2 with ?threads=2', async (ctx) => {
    if (needsChromium(ctx)) return
    const auto = await openEditor(`${urlOf(isolated)}index.html?backend=wasm`)
    try {
      const page = auto.page
      const env = await page.evaluate(() => ({
        isolated: crossOriginIsolated,
        cores: navigator.hardwareConcurrency,
      }))
      expect(env.isolated).toBe(true)
      const cores = Math.min(8, env.cores)
      expect(auto.ready.threads).toEqual({ requested: env.cores, threads: cores })
      expect(await footer(page)).toBe(`backend: wasm, ${cores} thread${cores === 1 ? '' : 's'}`)
      console.log(`[e2e] default: ${auto.ready.label} (hardwareConcurrency ${env.cores})`)
    } finally {
      await auto.page.close()
    }
    const two = await openEditor(`${urlOf(isolated)}index.html?backend=wasm&threads=2`)
    try {
      expect(await two.page.evaluate(() => crossOriginIsolated)).toBe(true)
      expect(two.ready).toMatchObject({
        backend: 'wasm',
        threads: { requested: 2, threads: 2 },
        label: 'wasm, 2 threads',
      })
      expect(await footer(two.page)).toBe('backend: wasm, 2 threads')
      await two.page.goto(`${urlOf(isolated)}examples/embed.html`)
      expect(await two.page.evaluate(() => crossOriginIsolated)).toBe(true)
    } finally {
      await two.page.close()
    }
  }, 300_000)

  it('without the headers the editor runs 1 thread and the status bar says why', async (ctx) => {
    if (needsChromium(ctx)) return
    const { page, ready } = await openEditor(`${plainUrl()}index.html?backend=wasm&threads=2`)
    try {
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false)
      expect(ready.threads?.requested).toBe(2)
      expect(ready.threads?.threads).toBe(1)
      expect(ready.threads?.note).toMatch(/^the page is not cross-origin isolated/)
      expect(await footer(page)).toMatch(
        /^backend: wasm, 1 thread \[the page is not cross-origin isolated \(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/,
      )
    } finally {
      await page.close()
    }
  }, 300_000)
})

describe('training throughput', () => {
  it('a training run shows its images/s live in the status bar', async (ctx) => {
    if (needsChromium(ctx)) return
    const batch = 4
    const preset = buildPreset([
      { id: 1, type: 'step/synth-dataset', widgets: { count: 24, size: 64, seed: 5 } },
      {
        id: 2,
        type: 'step/train-encoder',
        widgets: { steps: 2000, batch, features: 'random', every: 1000, out: 'rate' },
        inputs: { dataset: [1, 'dataset'] },
      },
    ])
    const { page, ready } = await openEditor(`${urlOf(isolated)}index.html?backend=wasm&threads=2`)
    try {
      expect(ready.threads?.threads).toBe(2)
      await page.evaluate(async (p) => {
        const ed = document.querySelector('step-editor') as Editor
        const w = window as unknown as { steps: [number, number][]; finished: Promise<unknown> }
        w.steps = []
        ed.addEventListener('run-event', (e) => {
          const d = (e as CustomEvent<{ type: string; node: number; value: number }>).detail
          if (d.type === 'progress' && d.node === 2 && d.value > 0)
            w.steps.push([d.value, performance.now()])
        })
        await ed.load(p)
        w.finished = ed.run()
      }, preset)
      await page.waitForFunction(
        () =>
          (window as unknown as { steps: unknown[] }).steps.length >= 12 &&
          /images\/s$/.test((document.querySelector('step-editor') as Editor).status),
        null,
        { timeout: 180_000 },
      )
      await page.waitForTimeout(300) // one frame: litegraph draws images/s on the node
      await page.screenshot({ path: join(SHOTS, 'editor-training-rate.png') })
      const seen = await page.evaluate(async () => {
        const ed = document.querySelector('step-editor') as Editor
        const w = window as unknown as { steps: [number, number][]; finished: Promise<unknown> }
        const status = ed.status
        const steps = [...w.steps]
        ed.cancel()
        await w.finished
        return { status, steps }
      })
      const m = /^Train Encoder: step (\d+)\/2000, ([\d.]+) images\/s$/.exec(seen.status)
      expect(m, seen.status).not.toBeNull()
      const shown = Number(m?.[2])
      // the same quantity measured here over the last 10 s of steps: 3 images (anchor,
      // positive, negative) per batch element and step, as src/train counts them
      const last = seen.steps.at(-1) ?? [0, 0]
      const first = seen.steps.find(([, t]) => last[1] - t <= 10_000) ?? last
      const measured = ((last[0] - first[0]) * 3 * batch * 1000) / (last[1] - first[1])
      console.log(
        `[e2e] stage 1 training on wasm, 2 threads: ${seen.status} (measured here ${measured.toFixed(1)} images/s)`,
      )
      expect(shown).toBeGreaterThan(0)
      expect(shown).toBeGreaterThan(measured / 2)
      expect(shown).toBeLessThan(measured * 2)
    } finally {
      await page.close()
    }
  }, 300_000)
})
