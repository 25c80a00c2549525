/**
 * Provenance everywhere: the PNGs of `step sample`, `generate`, `interpolate` and `step run` carry
 * the graph (also as 'workflow'), the seeds, and paths relative to the PNG (no absolute path);
 * `step run` on a `step sample` output re-creates it bit for bit.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../src/core/image/decode.js'
import { readPngText } from '../src/core/image/png-text.js'
import { step } from './helpers/step-cli.js'

const ROOT = join(import.meta.dirname, '..')
// inside the project (the working folder), as a user's output folder would be
const dir = mkdtempSync(join(ROOT, 'out-provenance-'))
const rel = relative(process.cwd(), dir)
const MODEL = 'examples/models/default'
const CONTENT = 'examples/images/content-1.png'

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const textOf = (file: string) => readPngText(new Uint8Array(readFileSync(file)), file)
const pixels = (file: string) => decodeImage(new Uint8Array(readFileSync(file)))

/** Every PNG under `d`. */
function pngsUnder(d: string): string[] {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name)
    if (statSync(p).isDirectory()) return pngsUnder(p)
    return name.endsWith('.png') ? [p] : []
  })
}

describe('provenance of CLI images', () => {
  it('step sample: graph + seeds + workflow, relative paths; step run re-creates it bit for bit', () => {
    const out = join(rel, 'sample', 'grid.png')
    const r = step(
      'sample',
      '--model',
      MODEL,
      '--input',
      CONTENT,
      '--count',
      '3',
      '--seed',
      '4',
      '--out',
      out,
      '--backend',
      'wasm',
      '--json',
    )
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ out, count: 3, seed: 4 })
    const text = textOf(out)
    expect(text['step-base']).toBe('.')
    expect(text.workflow).toBe(text['step-preset'])
    expect(JSON.parse(text['step-seeds'] ?? '')).toEqual({ 3: { seed: 4 } })
    const graph = JSON.parse(text.workflow ?? '') as {
      nodes: { type: string; properties: { path?: string } }[]
    }
    const paths = graph.nodes.map((n) => n.properties.path).filter(Boolean)
    expect(paths).toEqual(['../../examples/images/content-1.png', '../../examples/models/default'])
    const again = join(rel, 'rerun')
    const run = step('run', out, '--out', again, '--backend', 'wasm', '--json')
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'done' })
    const a = pixels(out)
    const b = pixels(join(again, 'grid.png'))
    expect([b.width, b.height]).toEqual([a.width, a.height])
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true)
  }, 240_000)

  it('step generate and interpolate carry a graph too; no PNG written holds an absolute path', () => {
    const gen = join(rel, 'gen.png')
    let r = step(
      'generate',
      '--model',
      MODEL,
      '--input',
      CONTENT,
      '--style',
      'examples/images/style-1.png',
      '--out',
      gen,
      '--backend',
      'wasm',
      '--json',
    )
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ out: gen, strength: 1 })
    const g = textOf(gen)
    expect(g.workflow).toContain('step/style-encode')
    // the generate graph also re-creates its image exactly
    r = step('run', gen, '--out', join(rel, 'gen-rerun'), '--backend', 'wasm')
    expect(r.code, r.stderr).toBe(0)
    expect(
      Buffer.from(pixels(join(rel, 'gen-rerun', 'gen.png')).data).equals(
        Buffer.from(pixels(gen).data),
      ),
    ).toBe(true)
    const strip = join(rel, 'strip.png')
    r = step(
      'interpolate',
      '--model',
      MODEL,
      '--input',
      CONTENT,
      '--styles',
      'examples/images/style-1.png,examples/images/style-2.png',
      '--steps',
      '3',
      '--out',
      strip,
      '--backend',
      'wasm',
    )
    expect(r.code, r.stderr).toBe(0)
    expect(textOf(strip).workflow).toContain('step/interpolate')
    const files = pngsUnder(dir)
    expect(files.length).toBeGreaterThanOrEqual(5)
    for (const f of files) {
      const text = textOf(f)
      expect(Object.keys(text), f).toContain('workflow')
      for (const [key, value] of Object.entries(text)) {
        expect(value, `${f} ${key}`).not.toContain(ROOT)
        expect(value, `${f} ${key}`).not.toMatch(/"path":"\//)
        if (key === 'step-base') expect(value.startsWith('/'), `${f} step-base`).toBe(false)
      }
    }
  }, 240_000)
})
