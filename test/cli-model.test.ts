/**
 * The whole StEP pipeline through `step`, as a user runs it, on tiny sizes: a synthetic dataset
 * and its restyle set, the four training stages (random features, 3 steps or epochs each), then
 * generate, sample, interpolate and eval on the result; and their one-line errors.
 *
 * Sizes: 64 px, the smallest the small preset allows (its 3-scale discriminator), batch 2. The
 * backend is wasm: on the pure-JS cpu backend one generator step at 64 px takes ~40 s, on wasm
 * well under 1 s, so the file stays around a minute on one core.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { splitHorizontal } from '../src/core/image/compose.js'
import { decodeImage } from '../src/core/image/decode.js'
import { encodePng } from '../src/core/image/encode.js'
import { createRgbImage } from '../src/core/image/types.js'
import { parseStyles } from '../src/cli/commands/interpolate.js'
import { contentSize, fitContent } from '../src/cli/model-io.js'
import { step } from './helpers/step-cli.js'

const BACKEND = ['--backend', 'wasm']
const SIZE = 64

/** Runs `step`, expecting exit code 0 (stderr shown otherwise). */
function ok(...args: string[]): string {
  const r = step(...args)
  expect(r.code, `step ${args.slice(0, 2).join(' ')}: ${r.stderr}`).toBe(0)
  return r.stdout
}

/** Width and height of a PNG file. */
async function pngSize(file: string): Promise<[number, number]> {
  const img = decodeImage(new Uint8Array(await readFile(file)), { where: file })
  return [img.width, img.height]
}

/** Side of a grid with `cells` cells of `cell` px and 2-px gaps. */
const gridSide = (cells: number, cell: number): number => cells * cell + (cells + 1) * 2

/** Every record of a loss.jsonl, each checked to hold only finite numbers. */
async function lossRecords(dir: string): Promise<Record<string, number>[]> {
  const text = await readFile(join(dir, 'loss.jsonl'), 'utf8')
  const records = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  for (const r of records) {
    for (const [key, v] of Object.entries(r)) {
      expect(typeof v, `${dir} ${key}`).toBe('number')
      expect(Number.isFinite(v), `${dir} ${key} = ${String(v)}`).toBe(true)
    }
  }
  return records as Record<string, number>[]
}

let tmp = ''
let data = ''
let restyled = ''
let finetuned = ''
let model = ''
const a0 = () => join(tmp, 'a0.png')
const b = (i: number) => join(tmp, `b${i}.png`)

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'step-cli-model-'))
  data = join(tmp, 'data')
  restyled = join(tmp, 'restyled')
  ok('dataset', 'synth', '--out', data, '--count', '24', '--size', String(SIZE), '--seed', '1')
  ok(
    'dataset',
    'synth',
    '--out',
    restyled,
    '--count',
    '6',
    '--size',
    String(SIZE),
    '--seed',
    '2',
    '--restyle-of',
    data,
  )
  // Loose A and B images for the inference commands.
  for (const i of [0, 3, 5]) {
    const pair = decodeImage(new Uint8Array(await readFile(join(data, `0000${i}.png`))))
    const { left, right } = splitHorizontal(pair)
    if (i === 0) await writeFile(a0(), encodePng(left))
    await writeFile(b(i), encodePng(right))
  }
}, 60_000)

describe('the full pipeline through the CLI', () => {
  it('trains all four stages with finite losses in every loss.jsonl', async () => {
    const common = ['--data', data, '--features', 'random', '--size', String(SIZE), ...BACKEND]
    const enc = join(tmp, 'encoder')
    const gen = join(tmp, 'generator')
    finetuned = join(tmp, 'finetune')
    const stage2 = ['--steps', '3', '--batch', '2', '--samples', '0']
    expect(
      ok(
        'train',
        'encoder',
        ...common,
        '--out',
        enc,
        '--steps',
        '3',
        '--batch',
        '2',
        '--cache',
        join(tmp, 'cache'),
      ),
    ).toContain('finished at step 3/3')
    expect(
      ok('train', 'generator', ...common, '--encoder', enc, '--out', gen, ...stage2),
    ).toContain('finished at step 3/3')
    expect(
      ok('train', 'finetune', ...common, '--from', gen, '--out', finetuned, ...stage2),
    ).toContain('finished at step 3/3')
    // stage 2 continued from a stage-2 checkpoint: G starts where it ended, E stays frozen
    const more = join(tmp, 'generator-more')
    ok('train', 'generator', ...common, '--encoder', gen, '--out', more, ...stage2, '--steps', '1')
    const [first] = await lossRecords(more)
    const [fresh] = await lossRecords(gen)
    expect(first?.step).toBe(1)
    expect(first?.g_l1).not.toBe(fresh?.g_l1) // not G's random start again
    // the weight files are named by their content's hash: E is the same bytes
    const weights = async (dir: string) =>
      (
        JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
          weights: Record<string, { sha256: string }>
        }
      ).weights
    expect((await weights(more)).encoder?.sha256).toBe((await weights(gen)).encoder?.sha256)
    const mapperDir = join(tmp, 'model')
    expect(
      ok(
        'train',
        'mapper',
        '--data',
        data,
        '--from',
        finetuned,
        '--out',
        mapperDir,
        '--epochs',
        '3',
        ...BACKEND,
      ),
    ).toContain('finished at epoch 3/3')
    model = mapperDir
    for (const dir of [enc, gen, finetuned, mapperDir]) {
      const records = await lossRecords(dir)
      expect(records.map((r) => r.step)).toEqual([1, 2, 3])
    }
    expect(Object.keys((await lossRecords(gen))[0] ?? {})).toEqual(
      expect.arrayContaining(['g_adv', 'g_percept', 'd_real', 'd_fake', 'total']),
    )
  }, 240_000)

  it('generate: writes G(A, E(S)) at the model size, or at a larger input size', async () => {
    const out = join(tmp, 'out', 'generated.png')
    const args = ['--model', model, '--style', b(3), ...BACKEND]
    expect(ok('generate', ...args, '--input', a0(), '--out', out, '--strength', '0.5')).toContain(
      `wrote ${out} (64x64)`,
    )
    expect(await pngSize(out)).toEqual([SIZE, SIZE])
    // A 128x64 A|B file as content: both sides >= 64, multiples of 8, so kept as is.
    const wide = join(tmp, 'out', 'wide.png')
    ok('generate', ...args, '--input', join(data, '00001.png'), '--out', wide)
    expect(await pngSize(wide)).toEqual([2 * SIZE, SIZE])
  }, 60_000)

  it('sample: writes A and 8 seeded samples as a 3x3 grid, the same for the same seed', async () => {
    const out = (name: string) => join(tmp, 'out', name)
    const args = ['--model', model, '--input', a0(), '--count', '8', ...BACKEND]
    ok('sample', ...args, '--seed', '1', '--out', out('s1.png'))
    ok('sample', ...args, '--seed', '1', '--out', out('s1b.png'))
    expect(await pngSize(out('s1.png'))).toEqual([gridSide(3, SIZE), gridSide(3, SIZE)])
    expect((await readFile(out('s1.png'))).equals(await readFile(out('s1b.png')))).toBe(true)
  }, 60_000)

  it('interpolate: writes a 2-row strip through 3 styles', async () => {
    const out = join(tmp, 'out', 'strip.png')
    const styles = [b(0), b(3), b(5)].join(',')
    const args = ['--model', model, '--input', a0(), '--styles', styles, '--steps', '4']
    expect(ok('interpolate', ...args, '--mode', 'slerp', '--out', out, ...BACKEND)).toContain(
      '7 outputs through 3 styles',
    )
    // (3 - 1) * (4 - 1) + 1 = 7 outputs plus the column of A.
    expect(await pngSize(out)).toEqual([gridSide(8, SIZE), gridSide(2, SIZE)])
  }, 60_000)

  it('eval: prints one JSON object with every figure finite', async () => {
    const stdout = ok(
      'eval',
      '--model',
      model,
      '--data',
      data,
      '--restyled',
      restyled,
      '--features',
      'random',
      '--samples',
      '3',
      ...BACKEND,
    )
    expect(stdout.trim().split('\n')).toHaveLength(1)
    const r = JSON.parse(stdout) as Record<string, unknown> & {
      ablation: Record<string, Record<string, number>>
      mapper_coverage: { samples: number; clusters: number; hit: number; missed: number[] }
    }
    const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
    expect(r.n).toBe(24)
    expect(r.transfer_n).toBe(6)
    for (const key of ['psnr', 'ssim', 'percept_random', 'diversity', 'transfer_error'])
      expect(finite(r[key]), `${key} = ${String(r[key])}`).toBe(true)
    for (const [name, keys] of [
      ['z0', ['psnr', 'ssim', 'transfer_error']],
      ['zrandom', ['psnr', 'ssim', 'transfer_error']],
      ['mapper', ['psnr', 'ssim']],
    ] as const) {
      for (const key of keys) expect(finite(r.ablation[name]?.[key]), `${name}.${key}`).toBe(true)
    }
    const styles = JSON.parse(await readFile(join(data, 'styles.json'), 'utf8')) as {
      samples: { cluster: number }[]
    }
    const clusters = new Set(styles.samples.map((s) => s.cluster)).size
    const cov = r.mapper_coverage
    expect(cov).toMatchObject({ samples: 64, clusters })
    expect(cov.hit + cov.missed.length).toBe(clusters)
    expect(r).toMatchObject({ samples: 3, seed: 1, features: 'random', size: SIZE })
    expect(r.model).toEqual({ stage: 'mapper', step: 3 })
  }, 60_000)

  it('eval: null mapper and transfer figures for a model without a mapper, no --restyled', () => {
    const args = ['--model', finetuned, '--data', data, '--count', '4', '--features', 'random']
    const r = JSON.parse(ok('eval', ...args, ...BACKEND)) as Record<string, unknown>
    expect(r).toMatchObject({
      n: 4,
      diversity: null,
      transfer_error: null,
      mapper_coverage: null,
      ablation: { mapper: null, z0: { transfer_error: null } },
    })
    expect(Number.isFinite(r.psnr)).toBe(true)
  }, 60_000)
})

describe('errors of the inference commands', () => {
  it('names a missing model folder (exit 1, one line)', () => {
    const nope = join(tmp, 'no-model')
    const r = step('generate', '--model', nope, '--input', a0(), '--style', b(3), '--out', 'x.png')
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      `step generate: ${nope}: no checkpoint here (manifest.json not found)`,
    )
  })

  it('names a missing input image (exit 1, one line)', () => {
    const nope = join(tmp, 'nope.png')
    const r = step('generate', '--model', model, '--input', nope, '--style', b(3), '--out', 'x.png')
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`step generate: ${nope}: file not found`)
  })

  it('asks for a mapper when sampling a model without one (exit 1, one line)', () => {
    const r = step('sample', '--model', finetuned, '--input', a0(), '--out', 'x.png', ...BACKEND)
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(
      new RegExp(`^step sample: ${finetuned}: has no mapper M .*train mapper first`),
    )
  }, 30_000)

  it('rejects a single style for interpolate (exit 2, the flag named)', () => {
    const r = step('interpolate', '--model', model, '--input', a0(), '--styles', b(0), '--out', 'x')
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toBe(
      'step interpolate: --styles: give at least 2 comma-separated style images to interpolate between (got 1)',
    )
  })

  it('names a --restyled folder that is not a restyle set (exit 1, one line)', () => {
    const r = step('eval', '--model', model, '--data', data, '--restyled', data, ...BACKEND)
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^step eval: ${join(data, 'styles.json')}: not a 'step dataset synth --restyle-of' output`,
      ),
    )
  })
})

describe('inference command helpers', () => {
  it('generates content at the model size, or at a larger input cropped to multiples of 8', () => {
    expect(contentSize(64, 64, 64)).toEqual([64, 64])
    expect(contentSize(100, 70, 64)).toEqual([96, 64])
    expect(contentSize(40, 200, 64)).toEqual([64, 64])
    const sized = (w: number, h: number) => {
      const img = fitContent(createRgbImage(w, h), 64)
      return [img.width, img.height]
    }
    expect(sized(100, 70)).toEqual([96, 64])
    expect(sized(30, 20)).toEqual([64, 64])
    expect(sized(300, 40)).toEqual([64, 64])
  })

  it('parses --styles lists', () => {
    expect(parseStyles('a.png, b.png,c.png')).toEqual(['a.png', 'b.png', 'c.png'])
    expect(() => parseStyles('a.png,,b.png')).toThrow('--styles: empty file name in the list')
  })
})
