/**
 * The fuzzers in CI: the corpus of past failures replayed case by case (with the exact outcome
 * each must have now), then the full seeded run (`npm run test:fuzz`: >= 10 000 presets and
 * >= 1 000 images) in its own watched process; its count line is printed for the CI log.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/core/image/decode.js'
import { presetFromBytes } from '../../src/runtime/preset-source.js'
import { loadPreset } from '../../src/runtime/preset.js'
import { pollution, prototypeSnapshot } from './check.js'
import { runImageCase } from './image-fuzz.js'
import { materialise, runPresetCase, type PresetCase } from './preset-fuzz.js'
import { corpusCases } from './corpus.js'

const ROOT = join(import.meta.dirname, '..', '..')
const corpus = corpusCases()
const preset = (name: string): PresetCase => {
  const c = corpus.presets.find((p) => p.name === `corpus/${name}`)
  if (!c) throw new Error(`no corpus case ${name}`)
  return c
}

describe('fuzz corpus (past failures)', () => {
  it('holds the saved cases', () => {
    expect(corpus.presets.length).toBeGreaterThanOrEqual(3)
    expect(corpus.images.length).toBeGreaterThanOrEqual(1)
  })

  it.each(corpus.presets.map((c) => [c.name, c] as const))('%s: no failure', (_name, c) => {
    const before = prototypeSnapshot()
    expect(runPresetCase(c)).not.toMatchObject({ kind: 'failure' })
    expect(pollution(before)).toBeNull()
  })

  it.each(corpus.images.map((c) => [c.name, c] as const))('%s: no failure', (_name, c) => {
    expect(runImageCase(c.name, c.bytes)).not.toMatchObject({ kind: 'failure' })
  })

  it('a widget value nested 100 000 deep is refused with its path (was a stack overflow)', () => {
    expect(() =>
      loadPreset(materialise(preset('deep-widget-value.obj.json').text), 'p.json'),
    ).toThrow(/^p\.json: nodes\.0\.properties\.path(\.0)+: nested more than 64 levels deep$/)
    expect(runPresetCase(preset('deep-widget-value.json'))).toEqual({
      kind: 'rejected',
      code: 'preset/too-deep',
    })
  })

  it('__proto__ / constructor / prototype keys at every level load without polluting', () => {
    const c = preset('proto-keys-everywhere.json')
    const loaded = loadPreset(JSON.parse(c.text), 'evil.json')
    expect(loaded.graph.nodes.length).toBe(13)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    for (const n of loaded.graph.nodes) {
      expect(Object.getPrototypeOf(n.widgets)).toBeNull()
      expect(Object.keys(n.widgets)).not.toContain('__proto__')
      expect(Object.keys(n.widgets)).not.toContain('constructor')
    }
  })

  it('a provenance PNG claiming 30000 x 30000 pixels: refused before decoding, graph still read', () => {
    const c = corpus.images.find((i) => i.name === 'corpus/provenance-30000x30000.png')
    if (!c) throw new Error('missing corpus image')
    expect(() => decodeImage(c.bytes, { where: 'x.png' })).toThrow(
      'x.png: 30000x30000 pixels exceeds the limit (sides <= 8192, <= 40000000 pixels)',
    )
    const { json } = presetFromBytes(c.bytes, 'x.png')
    expect(loadPreset(json, 'x.png').graph.nodes.map((n) => n.type)).toContain('step/generate')
  })
})

describe('fuzz run', () => {
  it('>= 10 000 presets and >= 1 000 images: no failure, no hang', async () => {
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx')
    const { stdout } = await promisify(execFile)(tsx, ['test/fuzz/run.ts'], {
      cwd: ROOT,
      timeout: 400_000,
      maxBuffer: 16 * 2 ** 20,
    })
    const line = stdout.split('\n').find((l) => l.startsWith('fuzz: ')) ?? ''
    console.log(line)
    const m = /^fuzz: (\d+) presets, (\d+) images, (\d+) failures, (\d+) hangs$/.exec(line)
    expect(m).not.toBeNull()
    const [, p, i, f, h] = (m ?? []).map(Number)
    expect(p).toBeGreaterThanOrEqual(10_000)
    expect(i).toBeGreaterThanOrEqual(1_000)
    expect([f, h]).toEqual([0, 0])
  }, 420_000)
})
