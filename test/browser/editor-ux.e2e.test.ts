/**
 * The editor as a new user meets it (issue 19), end to end in Debian's Chromium at 1280x800 on
 * wasm: the default graph wired by hand with the mouse runs; keyboard habits (Delete, Ctrl+Z,
 * Ctrl+Enter); an edited graph survives a reload; previews stay on an unchanged re-run and open
 * full size; a training run draws its loss plot; examples/embed.html runs. Screenshots go to
 * test-results/e2e/. Skipped (with the reason) without Chromium, except in CI.
 */
import type { Server } from 'node:http'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPreset } from '../../src/runtime/preset.js'
import { chromiumPath, launchChromium } from './chromium.js'
import {
  buildAndServe,
  drag,
  graphShape,
  nodePoint,
  nodeSize,
  openEditor,
  waitGraph,
  waitReady,
  runAndWait,
  slotPoint,
  titlePoint,
  type EditorElement,
} from './editor-page.js'

const CHROMIUM = chromiumPath()
const SHOTS = join(process.cwd(), 'test-results', 'e2e')

let server: Server | null = null
let browser: Browser | null = null
let url = ''

beforeAll(async () => {
  if (!CHROMIUM) return
  const served = await buildAndServe()
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
  console.warn('[skip] editor ux e2e: no Chromium at /usr/bin/chromium (apt-get install chromium)')
  ctx.skip('Chromium not installed')
  return true
}

/** Boxes [x, y, w, h] of every node in client pixels, title bar included. */
const boxes = (page: Page) =>
  page.evaluate(() => {
    type Node = { id: number; pos: number[]; size: number[] }
    const ed = document.querySelector('step-editor') as HTMLElement & {
      graph: { nodes: Node[] }
      view: { ds: { scale: number; offset: number[] } }
    }
    const r = (ed.shadowRoot?.querySelector('canvas') as HTMLCanvasElement).getBoundingClientRect()
    const { scale, offset } = ed.view.ds
    const view = [r.left, r.top, r.width, r.height]
    const nodes = ed.graph.nodes.map((n) => ({
      id: n.id,
      box: [
        r.left + ((n.pos[0] ?? 0) + (offset[0] ?? 0)) * scale,
        r.top + ((n.pos[1] ?? 0) - 30 + (offset[1] ?? 0)) * scale,
        (n.size[0] ?? 0) * scale,
        ((n.size[1] ?? 0) + 30) * scale,
      ],
    }))
    return { view, nodes }
  })
const overlaps = (b: { box: number[] }[]) =>
  b.flatMap((p, i) =>
    b.slice(i + 1).filter((q) => {
      const [ax = 0, ay = 0, aw = 0, ah = 0] = p.box
      const [bx = 0, by = 0, bw = 0, bh = 0] = q.box
      return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah
    }),
  ).length

type Link = [number, number, number, number, number, string] // id, from, slot, to, slot, type

describe('editor ux (wasm, 1280x800)', () => {
  it('the default graph wired by hand, by dragging links only, runs', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url, 'backend=wasm')
    try {
      // the default graph's nodes where the preset puts them, with every link removed
      const wanted = await page.evaluate(async () => {
        const ed = document.querySelector('step-editor') as EditorElement & {
          graph: {
            links: Map<number, unknown>
            getNodeById(id: number): { disconnectInput(slot: number): void } | null
          }
        }
        await ed.load('examples/presets/default.json')
        const links = ed.save().links as Link[]
        for (const [, , , to, slot] of links) ed.graph.getNodeById(to)?.disconnectInput(slot)
        ed.fitView()
        return { links, left: ed.save().links.length }
      })
      expect(wanted.links.length).toBe(19)
      expect(wanted.left).toBe(0)
      await page.waitForTimeout(100)
      await page.screenshot({ path: join(SHOTS, 'ux-unwired.png') })
      for (const [, from, fromSlot, to, toSlot] of wanted.links) {
        const a = await slotPoint(page, from, 'output', fromSlot)
        const b = await slotPoint(page, to, 'input', toSlot)
        await drag(page, a, b)
      }
      const made = await page.evaluate(() =>
        (document.querySelector('step-editor') as EditorElement).save().links.map((l) => l),
      )
      const ends = (ls: unknown[][]) =>
        ls.map((l) => l.slice(1, 5).join(' ')).sort((x, y) => x.localeCompare(y))
      expect(ends(made)).toEqual(ends(wanted.links))
      // 5 of them join different types (Image -> ImageBatch, Model -> Encoder / Generator /
      // Mapper), which litegraph alone refuses
      const widened = await page.evaluate(() => {
        type Slot = { type: string }
        type Node = { inputs: Slot[]; outputs: Slot[] }
        const ed = document.querySelector('step-editor') as EditorElement & {
          graph: { getNodeById(id: number): Node | null }
        }
        return (ed.save().links as Link[])
          .map(([, from, fs, to, ts]) => [
            ed.graph.getNodeById(from)?.outputs[fs]?.type,
            ed.graph.getNodeById(to)?.inputs[ts]?.type,
          ])
          .filter(([a, b]) => a !== b)
          .map(([a, b]) => `${a} -> ${b}`)
      })
      expect(widened.length).toBeGreaterThanOrEqual(5)
      expect(await runAndWait(page)).toEqual({ status: 'done' })
      await page.screenshot({ path: join(SHOTS, 'ux-wired-by-hand.png') })
    } finally {
      await page.close()
    }
  }, 300_000)

  it('keyboard: Delete removes the selection, Ctrl+Z restores it, Ctrl+Enter runs', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url, 'backend=wasm')
    try {
      await page.evaluate(() =>
        (document.querySelector('step-editor') as EditorElement).load(
          'examples/presets/default.json',
        ),
      )
      const all = await graphShape(page)
      expect(all.ids.length).toBe(14)
      const title = await titlePoint(page, 3) // Gaussian Sample, one link out
      await page.mouse.click(title.x, title.y)
      await page.keyboard.press('Delete')
      const deleted = await graphShape(page)
      expect(deleted.ids).toEqual(all.ids.filter((id) => id !== 3))
      expect(deleted.links).toBe(all.links - 1)
      await page.keyboard.press('Control+z')
      expect(await graphShape(page)).toEqual(all)
      await page.keyboard.press('Control+Shift+z')
      expect(await graphShape(page)).toEqual(deleted)
      await page.keyboard.press('Control+y') // nothing left to redo
      expect(await graphShape(page)).toEqual(deleted)
      await page.keyboard.press('Control+z')
      expect(await graphShape(page)).toEqual(all)

      // Ctrl+A, Backspace empties the graph; Ctrl+Z brings all of it back (a pause first: a
      // second click on the same title soon after the first is a double click, which edits it)
      await page.waitForTimeout(600)
      await page.mouse.click(title.x, title.y)
      await page.keyboard.press('Control+a')
      await page.keyboard.press('Backspace')
      expect(await graphShape(page)).toEqual({ ids: [], links: 0 })
      await page.keyboard.press('Control+z')
      expect(await graphShape(page)).toEqual(all)

      // copy / paste one node: a new node of the same type (a pause first: two clicks on the
      // same title in quick succession are a double click, which edits the title)
      await page.waitForTimeout(600)
      await page.mouse.click(title.x, title.y)
      await page.keyboard.press('Control+c')
      await page.mouse.move(title.x + 40, title.y + 300)
      await page.keyboard.press('Control+v')
      const pasted = await graphShape(page)
      expect(pasted.ids.length).toBe(15)
      const types = await page.evaluate(
        () =>
          (document.querySelector('step-editor') as EditorElement)
            .save()
            .nodes.filter((n) => n.type === 'step/gaussian-sample').length,
      )
      expect(types).toBe(2)
      await page.keyboard.press('Control+z')
      expect(await graphShape(page)).toEqual(all)

      // Ctrl+Enter runs the graph
      const done = page.evaluate(
        () =>
          new Promise((resolve) =>
            document
              .querySelector('step-editor')
              ?.addEventListener('run-done', () => resolve('done'), { once: true }),
          ),
      )
      await page.keyboard.press('Control+Enter')
      expect(await done).toBe('done')
      expect(
        await page.evaluate(() => (document.querySelector('step-editor') as EditorElement).lastRun),
      ).toEqual({ status: 'done' })
    } finally {
      await page.close()
    }
  }, 300_000)

  it('a reload keeps the edited graph; Reset brings the default; ?preset= wins', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url, 'backend=wasm')
    try {
      await waitGraph(page)
      const all = await graphShape(page)
      expect(all.ids.length).toBe(14)
      const title = await titlePoint(page, 13) // Preview samples
      await page.mouse.click(title.x, title.y)
      await page.keyboard.press('Delete')
      const edited = await graphShape(page)
      expect(edited.ids.length).toBe(13)
      await page.waitForTimeout(800) // autosave is debounced by 500 ms
      await page.reload()
      await waitReady(page)
      await waitGraph(page)
      expect(await graphShape(page)).toEqual(edited)
      const status = await page.evaluate(
        () => (document.querySelector('step-editor') as EditorElement).status,
      )
      expect(status).toMatch(/autosaved/)
      // relative paths in the restored graph still resolve against the preset's folder
      expect(await runAndWait(page)).toEqual({ status: 'done' })

      await page.click('step-editor >> #reset')
      await waitGraph(page, 14)
      expect(await graphShape(page)).toEqual(all)
      await page.keyboard.press('Control+z')
      expect(await graphShape(page)).toEqual(edited)

      await page.goto(`${url}index.html?backend=wasm&preset=examples/presets/style-transfer.json`)
      await waitReady(page)
      await waitGraph(page)
      expect((await graphShape(page)).ids.length).toBe(9)
    } finally {
      await page.close()
    }
  }, 300_000)

  it('previews stay on an unchanged re-run, keep their size, and open full size', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url, 'backend=wasm')
    type Ed = EditorElement & {
      previews(id: number): HTMLCanvasElement[]
      graph: {
        getNodeById(id: number): {
          properties: Record<string, unknown>
          widgets?: { name: string; value: unknown }[]
        } | null
      }
    }
    /** Runs (to `until`), then returns node 13's previews (width x height each). */
    const runPreviews = (until?: number) =>
      page.evaluate(async (until) => {
        const ed = document.querySelector('step-editor') as Ed
        const outcome = await ed.run(until === null ? {} : { until })
        return { outcome, shown: ed.previews(13).map((c) => `${c.width}x${c.height}`) }
      }, until ?? null)
    try {
      await waitGraph(page, 14)
      const first = await runPreviews()
      expect(first.outcome).toEqual({ status: 'done' })
      // the samples sheet: 7 columns of S px samples (S: the shipped model's side) with 2 px gaps
      expect(first.shown).toHaveLength(1)
      const [sheetW = 0, sheetH = 0] = (first.shown[0] ?? '').split('x').map(Number)
      const side = sheetH - 4
      expect(sheetW).toBe(7 * side + 8 * 2)
      const size = await nodeSize(page, 13)
      expect(size[0]).toBeGreaterThanOrEqual(Math.min(520, sheetW + 10)) // 1:1, up to 520 wide
      await page.waitForTimeout(200)
      await page.screenshot({ path: join(SHOTS, 'ux-previews.png') })

      // unchanged graph: everything cached, the previews stay and the node keeps its size
      const again = await runPreviews()
      expect(again).toEqual(first)
      expect(await nodeSize(page, 13)).toEqual(size)

      // a changed seed, run to the preview only: new samples, same size
      await page.evaluate(() => {
        const node = (document.querySelector('step-editor') as Ed).graph.getNodeById(3)
        if (!node) throw new Error('no Gaussian Sample')
        node.properties.seed = 8
        const w = node.widgets?.find((x) => x.name === 'seed')
        if (w) w.value = 8
      })
      const partial = await runPreviews(13)
      expect(partial).toEqual(first)
      expect(await nodeSize(page, 13)).toEqual(size)
      // a run to a node outside the preview's branch leaves its previews alone
      expect((await runPreviews(9)).shown).toEqual(first.shown)
      expect(await nodeSize(page, 13)).toEqual(size)

      // a click on the preview opens it full size, with a download
      const at = await nodePoint(page, 13, size[0] / 2, size[1] - 20)
      await page.mouse.click(at.x, at.y)
      const box = page.locator('step-editor #lightbox img')
      await box.waitFor({ timeout: 5_000 })
      const shown = await box.evaluate((img: HTMLImageElement) => ({
        natural: [img.naturalWidth, img.naturalHeight],
        drawn: [img.width, img.height],
      }))
      expect(shown.natural).toEqual([sheetW, sheetH])
      // enlarged by the largest whole factor that fits 1100 x 600 (at least 1)
      const zoom = Math.max(1, Math.floor(Math.min(1100 / sheetW, 600 / sheetH)))
      expect(shown.drawn).toEqual([sheetW * zoom, sheetH * zoom])
      const link = page.locator('step-editor #lightbox-download')
      expect(await link.getAttribute('download')).toBe('preview-samples-1.png')
      expect(await link.getAttribute('href')).toMatch(/^data:image\/png;base64,/)
      await page.screenshot({ path: join(SHOTS, 'ux-lightbox.png') })
      await page.keyboard.press('Escape')
      expect(await page.locator('step-editor #lightbox').count()).toBe(0)
    } finally {
      await page.close()
    }
  }, 300_000)

  it('History lists each run with its images; a thumbnail opens them; the backend choice stays', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url) // no ?backend=: the menu decides
    try {
      await waitGraph(page, 14)
      expect(await runAndWait(page)).toEqual({ status: 'done' })
      expect(await runAndWait(page)).toEqual({ status: 'done' })
      await page.click('step-editor #history-toggle')
      const runs = page.locator('step-editor #history .run')
      expect(await runs.count()).toBe(2)
      // newest first, numbered; each kept the previews the graph showed (the default graph's
      // Preview Image nodes: a samples sheet and a transfer sheet at least)
      expect(await runs.first().getAttribute('data-run')).toBe('2')
      expect(await runs.first().textContent()).toMatch(
        /#2 \d\d:\d\d:\d\d · done · [\d.]+ s · \d+ images?/,
      )
      const thumbs = runs.first().locator('.thumbs img')
      expect(await thumbs.count()).toBeGreaterThanOrEqual(2)
      await thumbs.first().click()
      const caption = await page.locator('step-editor #lightbox .lightbox-bar span').textContent()
      expect(caption).toMatch(/^run 2 · 1 \/ \d+ · \d+×\d+ px$/)
      await page.screenshot({ path: join(SHOTS, 'ux-history.png') })
      await page.keyboard.press('Escape')
      await page.click('step-editor #history-clear')
      expect(await runs.count()).toBe(0)

      // the backend picked in the menu is the one a reload starts on
      await page.selectOption('step-editor #backend-choice', 'cpu')
      await page.waitForFunction(
        () => document.querySelector<EditorElement>('step-editor')?.backendInfo?.backend === 'cpu',
        null,
        { timeout: 60_000 },
      )
      await page.reload()
      await waitReady(page)
      const after = await page.evaluate(() => {
        const ed = document.querySelector('step-editor') as EditorElement & { backend: string }
        return [ed.backend, ed.backendInfo?.backend]
      })
      expect(after).toEqual(['cpu', 'cpu'])
      await page.selectOption('step-editor #backend-choice', 'auto') // forgets the choice
      expect(await page.evaluate(() => localStorage.getItem('step-editor:backend'))).toBeNull()
    } finally {
      await page.close()
    }
  }, 300_000)

  it('a short training run shows step, loss, images/s and draws its loss plot', async (ctx) => {
    if (needsChromium(ctx)) return
    const preset = buildPreset([
      { id: 1, type: 'step/synth-dataset', widgets: { count: 16, size: 64, seed: 6 } },
      {
        id: 2,
        type: 'step/train-encoder',
        widgets: { steps: 6, batch: 4, features: 'random', every: 1, out: 'ux-encoder' },
        inputs: { dataset: [1, 'dataset'] },
      },
    ])
    const page = await openEditor(browser as Browser, url, 'backend=wasm')
    try {
      const shown = await page.evaluate(async (p) => {
        const ed = document.querySelector('step-editor') as EditorElement & {
          nodeReadout(id: number): { training: string | null; lossPoints: number }
        }
        await ed.load(p)
        const outcome = await ed.run()
        return { outcome, readout: ed.nodeReadout(2) }
      }, preset)
      expect(shown.outcome).toEqual({ status: 'done' })
      expect(shown.readout.lossPoints).toBeGreaterThanOrEqual(2)
      expect(shown.readout.training).toMatch(
        /^step 6\/6 · loss \d+(\.\d+)?(e[-+]\d+)? · \d+(\.\d+)? images\/s$/,
      )
      // the curve is drawn inside the node: the plot box holds the line's green pixels
      await page.waitForTimeout(200)
      const [w, h] = await nodeSize(page, 2)
      const a = await nodePoint(page, 2, 6, h - 76 + 18)
      const b = await nodePoint(page, 2, w - 6, h - 76 + 18 + 52)
      const green = await page.evaluate(
        ({ a, b }) => {
          const ed = document.querySelector('step-editor') as HTMLElement
          const c = ed.shadowRoot?.querySelector('canvas') as HTMLCanvasElement
          const r = c.getBoundingClientRect()
          const [x, y] = [Math.ceil(a.x - r.left), Math.ceil(a.y - r.top)]
          const [bw, bh] = [Math.floor(b.x - a.x), Math.floor(b.y - a.y)]
          const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(x, y, bw, bh)
          let n = 0
          for (let i = 0; i < d.data.length; i += 4) {
            const [R = 0, G = 0, B = 0] = [d.data[i], d.data[i + 1], d.data[i + 2]]
            if (G > 150 && G > R + 60 && G > B + 30) n++
          }
          return n
        },
        { a, b },
      )
      expect(green).toBeGreaterThan(40)
      await page.screenshot({ path: join(SHOTS, 'ux-training.png') })
    } finally {
      await page.close()
    }
  }, 300_000)

  it('examples/embed.html runs its preset with the shipped model', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 800 } })
    page.on('pageerror', (err) => console.warn(`[page error] ${err.message}`))
    try {
      await page.goto(`${url}examples/embed.html?backend=wasm`)
      await waitReady(page)
      await waitGraph(page, 9)
      const run = await page.evaluate(async () => {
        const ed = document.querySelector('step-editor') as EditorElement & {
          previews(id: number): HTMLCanvasElement[]
          save(): { nodes: { id: number; type: string }[]; links: unknown[][] }
        }
        const outcome = await ed.run()
        const shown = ed
          .save()
          .nodes.filter((n) => n.type === 'step/preview-image')
          .flatMap((n) => ed.previews(n.id).map((c) => c.width))
        return { outcome, shown }
      })
      expect(run.outcome).toEqual({ status: 'done' })
      expect(run.shown.length).toBeGreaterThan(0)
      expect(Math.min(...run.shown)).toBeGreaterThanOrEqual(64)
      await page.screenshot({ path: join(SHOTS, 'ux-embed.png') })
    } finally {
      await page.close()
    }
  }, 300_000)

  it('auto picks wasm over software WebGPU / WebGL and the status bar says why', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url) // no ?backend=: auto
    try {
      const info = await page.evaluate(() => {
        const ed = document.querySelector('step-editor') as EditorElement & {
          backendInfo: { backend: string; why: string; attempts: string[] }
        }
        return ed.backendInfo
      })
      console.log(`[e2e] auto: ${info.attempts.join(' | ')}`)
      expect(info.backend).toBe('wasm')
      expect(info.attempts.find((a) => a.startsWith('webgl:'))).toMatch(
        /^webgl: skipped in auto mode: WebGL renderer .*SwiftShader.* is a software renderer/,
      )
      const footer = await page.locator('step-editor #backend').textContent()
      expect(footer).toMatch(/^backend: wasm, 1 thread/)
      expect(footer).toMatch(/webgl passed over: software-emulated, slower than wasm here/)
      expect(await runAndWait(page)).toEqual({ status: 'done' })
      await page.screenshot({ path: join(SHOTS, 'ux-auto-backend.png') })

      // the backend menu restarts the worker on the backend chosen, and names its renderer
      await page.selectOption('step-editor #backend-choice', 'webgl')
      await page.waitForFunction(
        () =>
          document.querySelector<EditorElement>('step-editor')?.backendInfo?.backend === 'webgl',
        null,
        { timeout: 60_000 },
      )
      expect(await page.locator('step-editor #backend').textContent()).toMatch(
        /^backend: webgl \(.*SwiftShader.* \[software\]\)$/,
      )
    } finally {
      await page.close()
    }
  }, 300_000)

  it('palette nodes land apart, in view; Arrange lays the graph out without overlaps', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url, 'backend=wasm')
    try {
      await page.evaluate(() =>
        (document.querySelector('step-editor') as EditorElement).load({
          schemaVersion: 1,
          nodes: [],
          links: [],
        }),
      )
      for (let i = 0; i < 3; i++)
        await page.click('step-editor nav button:has-text("Gaussian Sample")')
      const added = await boxes(page)
      expect(added.nodes.length).toBe(3)
      expect(overlaps(added.nodes)).toBe(0)
      const [vx = 0, vy = 0, vw = 0, vh = 0] = added.view
      for (const { box } of added.nodes) {
        const [x = 0, y = 0, w = 0, h = 0] = box
        expect(x).toBeGreaterThanOrEqual(vx)
        expect(y).toBeGreaterThanOrEqual(vy)
        expect(x + w).toBeLessThanOrEqual(vx + vw)
        expect(y + h).toBeLessThanOrEqual(vy + vh)
      }
      await page.evaluate(() =>
        (document.querySelector('step-editor') as EditorElement).load(
          'examples/presets/train-from-scratch.json',
        ),
      )
      await page.click('step-editor #arrange')
      const arranged = await boxes(page)
      expect(arranged.nodes.length).toBe(12)
      expect(overlaps(arranged.nodes)).toBe(0)
      await page.keyboard.press('Control+z') // Arrange is one undoable step
      expect((await boxes(page)).nodes.map((n) => n.box)).not.toEqual(
        arranged.nodes.map((n) => n.box),
      )
    } finally {
      await page.close()
    }
  }, 300_000)

  it.for([
    'default',
    'style-transfer',
    'random-sampling',
    'interpolation-grid',
    'train-from-scratch',
  ])(
    'preset %s after a run at 1280x800: every node in view, none overlapping',
    { timeout: 300_000 },
    async (name, ctx) => {
      if (needsChromium(ctx)) return
      const page = await openEditor(browser as Browser, url, 'backend=wasm')
      try {
        const outcome = await page.evaluate(async (name) => {
          type Node = {
            type: string
            properties: Record<string, unknown>
            widgets?: { name: string; value: unknown }[]
          }
          const ed = document.querySelector('step-editor') as EditorElement & {
            graph: { nodes: Node[] }
          }
          await ed.load(`examples/presets/${name}.json`)
          if (name === 'train-from-scratch') {
            // the full recipe trains for many minutes on pretrained features: a few steps on
            // random features show the same panels
            const quick: Record<string, Record<string, unknown>> = {
              'step/synth-dataset': { count: 24 },
              'step/train-encoder': { steps: 4, batch: 4, features: 'random', every: 2 },
              'step/train-generator': { steps: 3, features: 'random', every: 1, samples: 1 },
              'step/fine-tune': { steps: 2, features: 'random', every: 1, samples: 1 },
              'step/train-mapper': { epochs: 3, every: 1 },
              'step/evaluate': { count: 8, features: 'random' },
            }
            for (const n of ed.graph.nodes)
              for (const [k, v] of Object.entries(quick[n.type] ?? {})) {
                n.properties[k] = v
                const w = n.widgets?.find((x) => x.name === k)
                if (w) w.value = v
              }
          }
          return ed.run()
        }, name)
        expect(outcome).toEqual({ status: 'done' })
        await page.waitForTimeout(300)
        const { view, nodes } = await boxes(page)
        expect(overlaps(nodes)).toBe(0)
        // readable: fitted at a zoom where litegraph still draws titles, slots and widgets
        const zoom = await page.evaluate(() => {
          const ed = document.querySelector('step-editor') as unknown as {
            view: { ds: { scale: number }; low_quality_zoom_threshold: number }
          }
          return { scale: ed.view.ds.scale, threshold: ed.view.low_quality_zoom_threshold }
        })
        expect(zoom.scale).toBeGreaterThanOrEqual(zoom.threshold)
        const [vx = 0, vy = 0, vw = 0, vh = 0] = view
        for (const { id, box } of nodes) {
          const [x = 0, y = 0, w = 0, h = 0] = box
          expect([id, x >= vx, y >= vy, x + w <= vx + vw, y + h <= vy + vh]).toEqual([
            id,
            true,
            true,
            true,
            true,
          ])
        }
        await page.screenshot({ path: join(SHOTS, `preset-${name}.png`) })
        if (process.env.STEP_DOC_SCREENSHOTS === '1')
          await page.screenshot({
            path: join(process.cwd(), 'docs', 'images', `preset-${name}.png`),
          })
      } finally {
        await page.close()
      }
    },
  )

  it('npm start: the first Run on a cold dev server is not lost to a reload', async (ctx) => {
    if (needsChromium(ctx)) return
    const dev = await createServer({
      configFile: join(process.cwd(), 'vite.config.ts'),
      logLevel: 'error',
      cacheDir: await mkdtemp(join(tmpdir(), 'step-vite-cache-')), // nothing pre-bundled yet
      server: { port: 0 },
    })
    await dev.listen()
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 800 } })
    try {
      let loads = 0
      page.on('load', () => loads++)
      await page.goto(`${dev.resolvedUrls?.local[0] ?? ''}?backend=wasm`)
      await waitReady(page)
      await waitGraph(page)
      expect(await runAndWait(page)).toEqual({ status: 'done' })
      expect(loads).toBe(1)
    } finally {
      await page.close()
      await dev.close()
    }
  }, 300_000)

  it('a link dropped on empty canvas offers the nodes that take it, and adds one linked', async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url, 'backend=wasm')
    try {
      await waitGraph(page, 14)
      const before = await graphShape(page)
      const from = await slotPoint(page, 2, 'output', 0) // Model's model output
      await drag(page, from, { x: 700, y: 110 }) // empty canvas above the graph
      const menu = page.locator('step-editor #link-menu')
      await menu.waitFor({ timeout: 5_000 })
      const offered = await menu
        .locator('button')
        .evaluateAll((bs) => bs.map((b) => b.getAttribute('data-type')))
      // Model feeds Encoder / Generator / Mapper inputs too
      expect(offered).toEqual(
        expect.arrayContaining(['step/generate', 'step/mapper', 'step/style-encode']),
      )
      expect(offered).not.toContain('step/load-image')
      await menu.locator('button[data-type="step/style-encode"]').click()
      const after = await graphShape(page)
      expect(after.ids.length).toBe(before.ids.length + 1)
      expect(after.links).toBe(before.links + 1)
      const added = await page.evaluate(() => {
        const saved = (document.querySelector('step-editor') as EditorElement).save()
        const node = saved.nodes.at(-1)
        const link = (saved.links as Link[]).find((l) => l[3] === node?.id)
        return { type: node?.type, link: link?.slice(1, 5) }
      })
      expect(added.type).toBe('step/style-encode')
      expect(added.link?.slice(0, 2)).toEqual([2, 0])
      expect(added.link?.[3]).toBe(1) // its encoder input
      await page.keyboard.press('Control+z')
      expect(await graphShape(page)).toEqual(before)
    } finally {
      await page.close()
    }
  }, 300_000)

  it("a preview node's context menu opens its image and saves it as PNG", async (ctx) => {
    if (needsChromium(ctx)) return
    const page = await openEditor(browser as Browser, url, 'backend=wasm')
    try {
      await waitGraph(page, 14)
      expect(await runAndWait(page)).toEqual({ status: 'done' })
      const title = await titlePoint(page, 14) // Preview transfer
      await page.mouse.click(title.x, title.y, { button: 'right' })
      const open = page.locator('.litecontextmenu .litemenu-entry', { hasText: 'Open image' })
      await open.waitFor({ timeout: 5_000 })
      await open.click()
      await page.locator('step-editor #lightbox img').waitFor({ timeout: 5_000 })
      expect(await page.locator('step-editor .lightbox-bar span').textContent()).toMatch(
        /^Preview transfer · 1 \/ 1 · \d+×\d+\s+px$/,
      )
      await page.keyboard.press('Escape')
      await page.waitForTimeout(600) // a second press at once would be a double click
      await page.mouse.click(title.x, title.y, { button: 'right' })
      const save = page.locator('.litecontextmenu .litemenu-entry', { hasText: 'Save image (PNG)' })
      await save.waitFor({ timeout: 5_000 })
      const [download] = await Promise.all([page.waitForEvent('download'), save.click()])
      expect(download.suggestedFilename()).toBe('preview-transfer-1.png')
    } finally {
      await page.close()
    }
  }, 300_000)
})
