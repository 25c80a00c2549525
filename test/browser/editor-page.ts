/**
 * Driving <step-editor> in Chromium as a user does: the app built with the project's vite config
 * and served statically, the editor opened on a backend, points on the canvas of a node's slots
 * (from litegraph's own geometry), links dragged with the mouse, runs awaited.
 */
import { mkdtemp } from 'node:fs/promises'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { build } from 'vite'
import { serveStatic } from './chromium.js'

/** The parts of the editor element the tests use. */
export interface EditorElement extends HTMLElement {
  backendInfo: { backend: string; adapter: string | null; label: string } | null
  lastRun: { status: string; message?: string } | null
  status: string
  load(source: string | object): Promise<void>
  save(): { nodes: { id: number; type: string; pos: number[] }[]; links: unknown[][] }
  run(options?: { until?: number }): Promise<{ status: string; message?: string }>
  fitView(): void
}

/** Builds the app (unminified) into a temporary folder and serves it; returns its URL. */
export async function buildAndServe(): Promise<{ server: Server; url: string; out: string }> {
  const out = await mkdtemp(join(tmpdir(), 'step-ux-'))
  await build({
    configFile: join(process.cwd(), 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: out, emptyOutDir: true, minify: false },
  })
  return { ...(await serveStatic(out)), out }
}

/** Opens `page` (index.html plus `query`) at 1280x800 and waits for the backend. */
export async function openEditor(browser: Browser, url: string, query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.on('pageerror', (err) => console.warn(`[page error] ${err.message}`))
  await page.goto(`${url}${query ? `index.html?${query}` : 'index.html'}`)
  await waitReady(page)
  return page
}

/** Waits until the editor's worker has started its backend. */
export async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector<EditorElement>('step-editor')?.backendInfo != null,
    null,
    { timeout: 120_000 },
  )
}

/** Waits until the editor shows a graph (of `count` nodes, when given). */
export async function waitGraph(page: Page, count?: number): Promise<void> {
  await page.waitForFunction(
    (count) => {
      const ed = document.querySelector<EditorElement>('step-editor')
      const n = ed?.save().nodes.length ?? 0
      return count === undefined ? n > 0 : n === count
    },
    count,
    { timeout: 30_000 },
  )
}

/** Where on the page (client pixels) the slot of a node is drawn. */
export function slotPoint(
  page: Page,
  nodeId: number,
  side: 'input' | 'output',
  slot: number,
): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ({ nodeId, side, slot }) => {
      type Node = {
        getInputPos(i: number): [number, number]
        getOutputPos(i: number): [number, number]
      }
      const ed = document.querySelector('step-editor') as HTMLElement & {
        graph: { getNodeById(id: number): Node | null }
      }
      const view = (ed as unknown as { view: { ds: { scale: number; offset: number[] } } }).view
      const node = ed.graph.getNodeById(nodeId)
      if (!node) throw new Error(`no node ${nodeId}`)
      const [gx, gy] = side === 'input' ? node.getInputPos(slot) : node.getOutputPos(slot)
      const canvas = ed.shadowRoot?.querySelector('canvas') as HTMLCanvasElement
      const r = canvas.getBoundingClientRect()
      const { scale, offset } = view.ds
      return {
        x: r.left + (gx + (offset[0] ?? 0)) * scale,
        y: r.top + (gy + (offset[1] ?? 0)) * scale,
      }
    },
    { nodeId, side, slot },
  )
}

/** Where on the page (client pixels) the point (dx, dy) of a node (from its pos) is drawn. */
export function nodePoint(
  page: Page,
  nodeId: number,
  dx: number,
  dy: number,
): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ({ nodeId, dx, dy }) => {
      type Node = { pos: number[] }
      const ed = document.querySelector('step-editor') as HTMLElement & {
        graph: { getNodeById(id: number): Node | null }
      }
      const view = (ed as unknown as { view: { ds: { scale: number; offset: number[] } } }).view
      const node = ed.graph.getNodeById(nodeId)
      if (!node) throw new Error(`no node ${nodeId}`)
      const [gx, gy] = [(node.pos[0] ?? 0) + dx, (node.pos[1] ?? 0) + dy]
      const canvas = ed.shadowRoot?.querySelector('canvas') as HTMLCanvasElement
      const r = canvas.getBoundingClientRect()
      const { scale, offset } = view.ds
      return {
        x: r.left + (gx + (offset[0] ?? 0)) * scale,
        y: r.top + (gy + (offset[1] ?? 0)) * scale,
      }
    },
    { nodeId, dx, dy },
  )
}

/** A node's size [w, h] (body, below the title). */
export function nodeSize(page: Page, nodeId: number): Promise<[number, number]> {
  return page.evaluate((nodeId) => {
    const ed = document.querySelector('step-editor') as HTMLElement & {
      graph: { getNodeById(id: number): { size: number[] } | null }
    }
    const size = ed.graph.getNodeById(nodeId)?.size ?? [0, 0]
    return [size[0] ?? 0, size[1] ?? 0] as [number, number]
  }, nodeId)
}

/** Where on the page (client pixels) the middle of a node's title bar is drawn. */
export async function titlePoint(page: Page, nodeId: number): Promise<{ x: number; y: number }> {
  const [w] = await nodeSize(page, nodeId)
  return nodePoint(page, nodeId, w / 2, -15)
}

/** The ids of the editor's nodes and its link count. */
export function graphShape(page: Page): Promise<{ ids: number[]; links: number }> {
  return page.evaluate(() => {
    const saved = (document.querySelector('step-editor') as EditorElement).save()
    return { ids: saved.nodes.map((n) => n.id).sort((a, b) => a - b), links: saved.links.length }
  })
}

/** Drags with the left button from `a` to `b` in small steps, as a hand does. */
export async function drag(
  page: Page,
  a: { x: number; y: number },
  b: { x: number; y: number },
): Promise<void> {
  await page.mouse.move(a.x, a.y)
  await page.mouse.down()
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 })
  await page.mouse.move(b.x, b.y, { steps: 5 })
  await page.mouse.up()
}

/** Runs the editor's graph and waits for the end (run-done or run-error). */
export function runAndWait(page: Page): Promise<{ status: string; message?: string } | null> {
  return page.evaluate(async () => {
    const ed = document.querySelector('step-editor') as EditorElement
    await ed.run()
    return ed.lastRun
  })
}
