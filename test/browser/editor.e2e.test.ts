/**
 * The editor end to end in Debian's Chromium: the app is built with the project's vite config and
 * served statically; on webgpu (SwiftShader) and on wasm it loads the default graph, runs every
 * inference preset in its worker and draws previews; drag-and-drop adds a Load Image node that
 * runs; a preset survives save -> load; the plugin page runs a StEP graph in a bare litegraph
 * page. Screenshots go to test-results/e2e/. Skipped (with the reason) without Chromium, except
 * in CI, where a missing browser fails.
 */
import type { Server } from 'node:http'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src/runtime/backend.js'
import { runHeadless } from '../../src/runtime/headless.node.js'
import { buildPreset } from '../../src/runtime/preset.js'
import { chromiumPath, launchChromium, serveStatic } from './chromium.js'

const CHROMIUM = chromiumPath()
const SHOTS = join(process.cwd(), 'test-results', 'e2e')
const PRESETS = ['default', 'style-transfer', 'random-sampling', 'interpolation-grid']

interface EditorElement extends HTMLElement {
  backendInfo: { backend: string; adapter: string | null } | null
  lastRun: { status: string; message?: string } | null
  load(source: string | object): Promise<void>
  save(): { nodes: { id: number; type: string; properties?: object }[]; links: unknown[] }
  run(options?: { until?: number }): Promise<{ status: string; message?: string }>
  graph: { nodes: { type: string; properties: Record<string, unknown> }[] }
}

let server: Server | null = null
let browser: Browser | null = null
let url = ''

beforeAll(async () => {
  if (!CHROMIUM) return
  const out = await mkdtemp(join(tmpdir(), 'step-e2e-'))
  await build({
    configFile: join(process.cwd(), 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: out, emptyOutDir: true, minify: false },
  })
  // a PNG written by the headless runner: the editor must restore its graph
  await initBackend({ prefer: 'wasm' })
  await runHeadless({
    source: 'examples/presets/random-sampling.json',
    outDir: join(out, 'runner'),
    cacheDir: null,
  })
  const served = await serveStatic(out)
  server = served.server
  url = served.url
  browser = await launchChromium(CHROMIUM)
  await mkdir(SHOTS, { recursive: true })
}, 240_000)

afterAll(async () => {
  await browser?.close()
  server?.close()
})

function needsChromium(ctx: { skip: (note: string) => void }): boolean {
  if (CHROMIUM) return false
  if (process.env.CI)
    throw new Error('CI: /usr/bin/chromium is missing (scripts/setup-system.sh installs it)')
  console.warn('[skip] editor e2e: no Chromium at /usr/bin/chromium (apt-get install chromium)')
  ctx.skip('Chromium not installed')
  return true
}

async function openEditor(backend: string): Promise<Page> {
  const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 800 } })
  page.on('pageerror', (err) => console.warn(`[page error] ${err.message}`))
  await page.goto(`${url}index.html?backend=${backend}`)
  await page.waitForFunction(
    () => document.querySelector<EditorElement>('step-editor')?.backendInfo != null,
    null,
    { timeout: 120_000 },
  )
  return page
}

/** Loads `preset` in the editor, runs it, returns the outcome and the previews' colour counts. */
function runPreset(page: Page, preset: string) {
  return page.evaluate(async (p) => {
    const ed = document.querySelector('step-editor') as EditorElement
    await ed.load(p)
    const colours: number[] = []
    const onEvent = (e: Event) => {
      const d = (e as CustomEvent<{ type: string; images?: { data: Uint8Array }[] }>).detail
      if (d.type === 'preview') for (const im of d.images ?? []) colours.push(new Set(im.data).size)
    }
    ed.addEventListener('run-event', onEvent)
    const finished = new Promise((resolve) => {
      ed.addEventListener('run-done', resolve, { once: true })
      ed.addEventListener('run-error', resolve, { once: true })
    })
    void ed.run()
    await finished
    ed.removeEventListener('run-event', onEvent)
    return { lastRun: ed.lastRun, colours }
  }, preset)
}

/** Distinct colours on the editor's litegraph canvas (previews drawn on nodes add hundreds). */
function canvasColours(page: Page): Promise<number> {
  return page.evaluate(() => {
    const ed = document.querySelector('step-editor') as EditorElement
    const c = ed.shadowRoot?.querySelector('canvas') as HTMLCanvasElement
    const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(
      0,
      0,
      c.width,
      c.height,
    ).data
    const seen = new Set<number>()
    for (let i = 0; i < d.length; i += 4)
      seen.add(((d[i] ?? 0) << 16) | ((d[i + 1] ?? 0) << 8) | (d[i + 2] ?? 0))
    return seen.size
  })
}

describe.each(['webgpu', 'wasm'])('editor on %s', (backend) => {
  it('starts the requested backend and runs every inference preset with previews', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(backend)
    try {
      const info = await page.evaluate(
        () => (document.querySelector('step-editor') as EditorElement).backendInfo,
      )
      expect(info?.backend).toBe(backend)
      for (const preset of PRESETS) {
        const { lastRun, colours } = await runPreset(page, `examples/presets/${preset}.json`)
        expect(lastRun).toEqual({ status: 'done' })
        expect(colours.length).toBeGreaterThan(0)
        expect(Math.min(...colours)).toBeGreaterThan(50)
        await page.waitForTimeout(200) // one animation frame for litegraph to draw
        expect(await canvasColours(page)).toBeGreaterThan(300)
        await page.screenshot({ path: join(SHOTS, `editor-${backend}-${preset}.png`) })
      }
    } finally {
      await page.close()
    }
  }, 600_000)
})

describe('editor interactions (wasm)', () => {
  it('drag-and-drop adds a Load Image node that runs; save -> load keeps the graph', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor('wasm')
    try {
      const result = await page.evaluate(async () => {
        const ed = document.querySelector('step-editor') as EditorElement
        await ed.load('examples/presets/style-transfer.json')
        const bytes = await (await fetch('examples/images/style-3.png')).arrayBuffer()
        const dt = new DataTransfer()
        dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }))
        const target = ed.shadowRoot?.querySelector('.canvas') as HTMLElement
        target.dispatchEvent(
          new DragEvent('drop', {
            dataTransfer: dt,
            bubbles: true,
            composed: true,
            clientX: 300,
            clientY: 300,
          }),
        )
        for (
          let i = 0;
          i < 50 && !ed.graph.nodes.some((n) => n.properties.path === 'dropped.png');
          i++
        )
          await new Promise((r) => setTimeout(r, 50))
        const dropped = ed.graph.nodes.filter((n) => n.properties.path === 'dropped.png').length
        const finished = new Promise((resolve) => {
          ed.addEventListener('run-done', resolve, { once: true })
          ed.addEventListener('run-error', resolve, { once: true })
        })
        void ed.run()
        await finished
        const saved = ed.save()
        await new Promise((r) => setTimeout(r, 700)) // autosave is debounced by 500 ms
        const autosaved =
          localStorage.getItem('step-editor:autosave:examples/presets/default.json') ?? ''
        await ed.load('runner/random-samples.png') // a PNG the headless runner wrote
        const fromPng = ed.graph.nodes.length
        await ed.load(JSON.parse(JSON.stringify(saved)) as object)
        const again = ed.save()
        const shape = (p: typeof saved) => ({
          nodes: p.nodes.map((n) => [n.id, n.type, n.properties]),
          links: p.links,
        })
        return {
          fromPng,
          autosaved: autosaved.includes('dropped.png'),
          dropped,
          lastRun: ed.lastRun,
          same: JSON.stringify(shape(again)) === JSON.stringify(shape(saved)),
          count: saved.nodes.length,
        }
      })
      expect(result.dropped).toBe(1)
      expect(result.autosaved).toBe(true)
      expect(result.fromPng).toBe(8)
      expect(result.lastRun).toEqual({ status: 'done' })
      expect(result.count).toBe(10)
      expect(result.same).toBe(true)
      await page.screenshot({ path: join(SHOTS, 'editor-dropped-image.png') })
    } finally {
      await page.close()
    }
  }, 300_000)

  it('a training node runs in the worker: input stays responsive, Cancel stops it', async (ctx) => {
    if (needsChromium(ctx)) return
    const preset = buildPreset([
      { id: 1, type: 'step/synth-dataset', widgets: { count: 24, size: 64, seed: 5 } },
      {
        id: 2,
        type: 'step/train-encoder',
        widgets: { steps: 2000, batch: 4, features: 'random', every: 5, out: 'enc' },
        inputs: { dataset: [1, 'dataset'] },
      },
    ])
    const page = await openEditor('wasm')
    try {
      await page.evaluate(async (p) => {
        const ed = document.querySelector('step-editor') as EditorElement
        const w = window as unknown as { lat: number[]; steps: number; finished: Promise<unknown> }
        w.lat = []
        w.steps = 0
        document.addEventListener('mousemove', (e) => w.lat.push(performance.now() - e.timeStamp))
        ed.addEventListener('run-event', (e) => {
          const d = (
            e as CustomEvent<{ type: string; node: number; value: number; figures?: object }>
          ).detail
          if (d.type === 'progress' && d.node === 2 && d.figures) w.steps = d.value
        })
        w.finished = new Promise((resolve) => {
          ed.addEventListener('run-done', resolve, { once: true })
          ed.addEventListener('run-error', resolve, { once: true })
        })
        await ed.load(p)
        void ed.run()
      }, preset)
      await page.waitForFunction(() => (window as unknown as { steps: number }).steps >= 3, null, {
        timeout: 120_000,
      })
      for (let i = 0; i < 30; i++) {
        await page.mouse.move(300 + i * 5, 300 + (i % 7) * 9)
        await page.waitForTimeout(30)
      }
      await page.screenshot({ path: join(SHOTS, 'editor-training.png') })
      const result = await page.evaluate(async () => {
        const ed = document.querySelector('step-editor') as EditorElement & { cancel(): void }
        const w = window as unknown as { lat: number[]; steps: number; finished: Promise<unknown> }
        ed.cancel()
        await w.finished
        return { lastRun: ed.lastRun, steps: w.steps, lat: w.lat }
      })
      expect(result.lastRun?.status).toBe('cancelled')
      expect(result.steps).toBeGreaterThanOrEqual(3)
      expect(result.steps).toBeLessThan(2000)
      expect(result.lat.length).toBeGreaterThanOrEqual(20)
      const sorted = [...result.lat].sort((a, b) => a - b)
      const p90 = sorted[Math.floor(0.9 * (sorted.length - 1))] ?? Infinity
      const max = sorted.at(-1) ?? Infinity
      console.log(
        `[e2e] input latency during training: p90 ${p90.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${sorted.length} events`,
      )
      // Measured alone: max 29-32 ms. With vitest running another test file beside this one on
      // 2 cores, single events were seen at 110 ms (the OS descheduling Chromium), so the bound
      // is on the 90th percentile, with a looser ceiling for the worst event.
      expect(p90).toBeLessThan(100)
      expect(max).toBeLessThan(250)
    } finally {
      await page.close()
    }
  }, 300_000)

  it('trained models persist in IndexedDB and export / import as one file', async (ctx) => {
    if (needsChromium(ctx)) return
    const train = buildPreset([
      { id: 1, type: 'step/synth-dataset', widgets: { count: 16, size: 64, seed: 6 } },
      {
        id: 2,
        type: 'step/train-encoder',
        widgets: { steps: 3, batch: 4, features: 'random', every: 1, out: 'tiny-encoder' },
        inputs: { dataset: [1, 'dataset'] },
      },
    ])
    type Models = EditorElement & {
      modelList(): { path: string; stage: string; step: number }[]
      exportCheckpoint(path: string): string
      importCheckpoint(text: string): Promise<string>
    }
    /** Runs the training graph; returns the outcome and how many training steps ran. */
    const trainIn = (page: Page) =>
      page.evaluate(async (p) => {
        const ed = document.querySelector('step-editor') as Models
        await ed.load(p)
        let steps = 0
        ed.addEventListener('run-event', (e) => {
          const d = (e as CustomEvent<{ type: string; node: number; figures?: object }>).detail
          if (d.type === 'progress' && d.node === 2 && d.figures) steps++
        })
        const outcome = await ed.run()
        return { outcome, steps, models: ed.modelList() }
      }, train)
    const context = await (browser as Browser).newContext()
    const page = await context.newPage()
    try {
      await page.goto(`${url}index.html?backend=wasm`)
      await page.waitForFunction(
        () => document.querySelector<EditorElement>('step-editor')?.backendInfo != null,
      )
      const first = await trainIn(page)
      expect(first.outcome).toEqual({ status: 'done' })
      expect(first.steps).toBe(3)
      expect(first.models).toEqual([{ path: 'tiny-encoder', stage: 'encoder', step: 3 }])
      await page.waitForTimeout(300) // the IndexedDB write
      await page.reload()
      await page.waitForFunction(
        () => document.querySelector<EditorElement>('step-editor')?.backendInfo != null,
      )
      const afterReload = await trainIn(page)
      expect(afterReload.outcome).toEqual({ status: 'done' })
      expect(afterReload.steps).toBe(0) // resumed from IndexedDB: nothing retrained
      const file = await page.evaluate(() =>
        (document.querySelector('step-editor') as Models).exportCheckpoint('tiny-encoder'),
      )

      const fresh = await (browser as Browser).newContext() // empty IndexedDB
      const other = await fresh.newPage()
      await other.goto(`${url}index.html?backend=wasm`)
      await other.waitForFunction(
        () => document.querySelector<EditorElement>('step-editor')?.backendInfo != null,
      )
      const path = await other.evaluate(
        (text) => (document.querySelector('step-editor') as Models).importCheckpoint(text),
        file,
      )
      expect(path).toBe('tiny-encoder')
      const imported = await trainIn(other)
      expect(imported.steps).toBe(0)
      expect(imported.models).toEqual([{ path: 'tiny-encoder', stage: 'encoder', step: 3 }])
      await fresh.close()
    } finally {
      await context.close()
    }
  }, 300_000)

  it('Live mode runs a Webcam graph frame after frame and shows the frame rate', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor('wasm')
    try {
      const live = await page.evaluate(async () => {
        const ed = document.querySelector('step-editor') as EditorElement & {
          startLive(): Promise<void>
          stopLive(): void
          fps: number
          status: string
        }
        await ed.load('examples/browser/webcam-style-transfer.json')
        let frames = 0
        ed.addEventListener('run-done', () => frames++)
        const running = ed.startLive()
        for (let i = 0; i < 600 && frames < 4; i++) await new Promise((r) => setTimeout(r, 100))
        ed.stopLive()
        await running
        return { frames, fps: ed.fps, status: ed.status }
      })
      expect(live.frames).toBeGreaterThanOrEqual(4)
      expect(live.fps).toBeGreaterThan(0)
      expect(live.status).toMatch(/^live: \d+\.\d fps \(\d+ frames\)$/)
      console.log(`[e2e] live webcam style transfer on wasm: ${live.fps.toFixed(1)} fps`)
      await page.screenshot({ path: join(SHOTS, 'editor-live-webcam.png') })

      const denied = await page.evaluate(async () => {
        const ed = document.querySelector('step-editor') as EditorElement & {
          startLive(): Promise<void>
          status: string
        }
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
        await ed.startLive()
        return ed.status
      })
      expect(denied).toBe('Webcam: no camera or no permission (Permission denied)')
    } finally {
      await page.close()
    }
  }, 300_000)

  it('the plugin page runs a StEP graph inside a bare litegraph page', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 800 } })
    try {
      await page.goto(`${url}examples/plugin.html?backend=wasm`)
      await page.waitForFunction(() => 'stepPlugin' in window, null, { timeout: 60_000 })
      await page.click('#run')
      await page.waitForFunction(
        () =>
          document.getElementById('status')?.textContent !== 'running…' &&
          document.getElementById('status')?.textContent !==
            'plain litegraph page; StEP nodes installed by one call',
        null,
        { timeout: 180_000 },
      )
      expect(await page.textContent('#status')).toBe('done')
      await page.screenshot({ path: join(SHOTS, 'plugin-page.png') })
    } finally {
      await page.close()
    }
  }, 300_000)
})
