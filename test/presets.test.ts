/**
 * Every example preset runs headless and writes its outputs; the PNG a graph writes carries the
 * graph and reproduces the same image; training presets resume instead of starting over.
 * Inference presets run on wasm with the shipped default model; train-from-scratch runs at tiny
 * sizes with the random feature net (TEST ONLY) so that all four stages fit in CI.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../src/core/image/decode.js'
import { readPngText } from '../src/core/image/png-text.js'
import { initBackend } from '../src/runtime/backend.js'
import { PROVENANCE_KEYS, runHeadless } from '../src/runtime/headless.node.js'
import { readManifest } from '../src/checkpoint/folder-store.node.js'

const PRESETS = 'examples/presets'
let out: string

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' })
  out = mkdtempSync(join(tmpdir(), 'step-presets-'))
})
afterAll(() => rmSync(out, { recursive: true, force: true }))

const pixels = (file: string) => decodeImage(new Uint8Array(readFileSync(file)), { where: file })

/** Fraction of distinct byte values in an image: flat or empty images score near 0. */
function variety(file: string): number {
  const img = pixels(file)
  return new Set(img.data).size / 256
}

describe('example presets', () => {
  const inference = ['default', 'style-transfer', 'random-sampling', 'interpolation-grid']
  it('lists exactly the presets this test runs', () => {
    expect(readdirSync(PRESETS).sort()).toEqual(
      [...inference, 'train-from-scratch'].map((p) => `${p}.json`).sort(),
    )
  })

  it.each(inference)('%s runs headless and writes non-trivial images', async (name) => {
    const dir = join(out, name)
    const { result, loaded, previews } = await runHeadless({
      source: join(PRESETS, `${name}.json`),
      outDir: dir,
      cacheDir: null,
    })
    expect(loaded.problems).toEqual([])
    expect(result.status).toBe('done')
    expect(result.executed.length).toBe(loaded.graph.nodes.length)
    expect(previews.length).toBeGreaterThan(0)
    const pngs = readdirSync(dir).filter((f) => f.endsWith('.png'))
    expect(pngs.length).toBeGreaterThanOrEqual(2)
    for (const f of pngs) expect(variety(join(dir, f))).toBeGreaterThan(0.3)
  })

  it('interpolation-grid renders a 4 x 4 grid of cells at the shipped model size (128 px)', () => {
    const img = pixels(join(out, 'interpolation-grid', 'interpolation-grid.png'))
    expect([img.width, img.height]).toEqual([4 * 128 + 5 * 2, 4 * 128 + 5 * 2])
  })

  it('a written PNG carries the graph and seeds; running it reproduces the image on cpu', async () => {
    await tf.setBackend('cpu')
    try {
      const first = join(out, 'round-1')
      await runHeadless({
        source: join(PRESETS, 'random-sampling.json'),
        outDir: first,
        sets: ['Gaussian Sample.seed=-1', 'Gaussian Sample.count=2'],
        cacheDir: null,
      })
      const png = join(first, 'random-samples.png')
      const text = readPngText(new Uint8Array(readFileSync(png)), png)
      const seeds = JSON.parse(text[PROVENANCE_KEYS.seeds] ?? '{}') as Record<
        string,
        { seed: number }
      >
      const used = seeds['3']?.seed
      expect(used).toBeGreaterThanOrEqual(0) // the drawn seed, not -1
      expect(text[PROVENANCE_KEYS.preset]).toContain(`"seed":${used}`)

      const second = join(out, 'round-2')
      const { result } = await runHeadless({ source: png, outDir: second, cacheDir: null })
      expect(result.seeds).toEqual(seeds)
      const a = pixels(png)
      const b = pixels(join(second, 'random-samples.png'))
      expect([b.width, b.height]).toEqual([a.width, a.height])
      expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true)
    } finally {
      await tf.setBackend('wasm')
    }
  })

  it('train-from-scratch runs all four stages, then resumes from its checkpoints', async () => {
    const dir = join(out, 'train')
    const sets = [
      'Data.count=24',
      'Data.size=64',
      'Train Encoder.steps=2',
      'Train Encoder.batch=4',
      'Train Encoder.size=64',
      'Train Encoder.features=random',
      'Train Encoder.every=1',
      'Train Generator.steps=2',
      'Train Generator.batch=2',
      'Train Generator.size=64',
      'Train Generator.features=random',
      'Train Generator.samples=2',
      'Fine-Tune.steps=2',
      'Fine-Tune.batch=2',
      'Fine-Tune.size=64',
      'Fine-Tune.features=random',
      'Train Mapper.epochs=2',
      'Train Mapper.batch=8',
      'Evaluate.split=all',
      'Evaluate.count=4',
      'Evaluate.samples=2',
      'Evaluate.features=random',
    ]
    const source = join(PRESETS, 'train-from-scratch.json')
    const run1 = await runHeadless({ source, outDir: dir, sets, cacheDir: null })
    expect(run1.result.error).toBeNull()
    expect(run1.result.status).toBe('done')
    for (const [stage, step] of [
      ['encoder', 2],
      ['generator', 2],
      ['finetune', 2],
      ['model', 2],
    ] as const) {
      expect((await readManifest(join(dir, stage))).step).toBe(step)
    }
    const metrics = run1.result.outputs.get(12)?.metrics as Record<string, unknown>
    expect(metrics.n).toBe(4)
    expect(Number(metrics.psnr)).toBeGreaterThan(0)
    expect(variety(join(dir, 'trained-samples.png'))).toBeGreaterThan(0.1)
    const sheet = join(dir, 'generator', 'samples', 'step-000002.png')
    const sheetText = readPngText(new Uint8Array(readFileSync(sheet)), sheet)
    expect(sheetText[PROVENANCE_KEYS.preset]).toContain('step/train-generator')

    // A fresh runner (no cache) finds the finished checkpoints and resumes them: nothing retrains.
    const logs: string[] = []
    const run2 = await runHeadless({
      source,
      outDir: dir,
      sets,
      cacheDir: null,
      onEvent: (e) => {
        if (e.type === 'progress' && e.node === 2) logs.push(`${e.value}/${e.max}`)
      },
    })
    expect(run2.result.status).toBe('done')
    expect(logs.filter((l) => l === '1/2')).toEqual([]) // no training step was repeated
    expect(existsSync(join(dir, 'encoder', 'loss.jsonl'))).toBe(true)
    const lines = readFileSync(join(dir, 'encoder', 'loss.jsonl'), 'utf8')
      .trim()
      .split('\n')
    expect(lines).toHaveLength(2)
  })
})
