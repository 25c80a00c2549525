/**
 * `step` end to end, as a user runs it: a child process per command, checking exit codes, the
 * one-line errors and the files written.
 */
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { step } from './helpers/step-cli.js'
import { decodeImage } from '../src/core/image/decode.js'
import { encodePng } from '../src/core/image/encode.js'
import { createRgbImage } from '../src/core/image/types.js'
import { DEFAULT_MODEL } from '../src/runtime/env.node.js'
import { readManifest } from '../src/checkpoint/folder-store.node.js'

let tmp = ''
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'step-cli-'))
})

describe('step dataset synth', () => {
  it('writes 64 A|B PNGs and styles.json, byte-identical for a seed, different for another', async () => {
    const run = (dir: string, seed: string) =>
      step(
        'dataset',
        'synth',
        '--out',
        join(tmp, dir),
        '--count',
        '64',
        '--size',
        '64',
        '--seed',
        seed,
      )
    const a = run('s1', '1')
    expect(a.code, a.stderr).toBe(0)
    expect(a.stdout).toContain(
      `wrote 64 pairs (64x64, seed 1) and styles.json to ${join(tmp, 's1')}`,
    )
    expect(run('s1b', '1').code).toBe(0)
    expect(run('s2', '2').code).toBe(0)
    const files = (await readdir(join(tmp, 's1'))).sort()
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(64)
    expect(files).toContain('styles.json')
    const first = decodeImage(await readFile(join(tmp, 's1', '00000.png')))
    expect([first.width, first.height]).toEqual([128, 64])
    for (const f of files) {
      expect((await readFile(join(tmp, 's1b', f))).equals(await readFile(join(tmp, 's1', f)))).toBe(
        true,
      )
    }
    expect(
      (await readFile(join(tmp, 's2', '00000.png'))).equals(
        await readFile(join(tmp, 's1', '00000.png')),
      ),
    ).toBe(false)
    const styles = JSON.parse(await readFile(join(tmp, 's1', 'styles.json'), 'utf8')) as {
      samples: { cluster: number }[]
    }
    expect(styles.samples).toHaveLength(64)
    expect(new Set(styles.samples.map((s) => s.cluster)).size).toBeGreaterThan(4)
  })

  it('renders ground truth for style transfer with --restyle-of', async () => {
    const r = step(
      'dataset',
      'synth',
      '--out',
      join(tmp, 'r1'),
      '--count',
      '8',
      '--size',
      '32',
      '--seed',
      '3',
      '--restyle-of',
      join(tmp, 's1'),
    )
    expect(r.code, r.stderr).toBe(0)
    const manifest = JSON.parse(await readFile(join(tmp, 'r1', 'styles.json'), 'utf8')) as {
      format: string
      samples: { content: string; style: string }[]
    }
    expect(manifest.format).toBe('step-synth-restyle')
    expect(manifest.samples).toHaveLength(8)
    for (const s of manifest.samples) expect(s.content).not.toBe(s.style)
  })

  it('rejects bad flags with exit code 2 and the flag named', () => {
    const r = step('dataset', 'synth', '--out', join(tmp, 'x'), '--count', 'abc')
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toBe(
      'step dataset synth: --count: expected an integer in [1, 100000] (got "abc")',
    )
    const missing = step('dataset', 'synth', '--count', '3')
    expect(missing.code).toBe(2)
    expect(missing.stderr.split('\n')[0]).toMatch(/^step dataset synth: --out: /)
    expect(step('dataset', 'sinth').code).toBe(2)
  })
})

describe('step dataset edges', () => {
  it('builds A|B pairs from photos and names each unreadable file on one line', async () => {
    const photos = join(tmp, 'photos')
    await mkdir(photos)
    const photo = createRgbImage(80, 60)
    for (let y = 0; y < 60; y++)
      for (let x = 0; x < 80; x++)
        photo.data.fill(
          x > 20 && x < 60 && y > 15 && y < 45 ? 230 : 30,
          (y * 80 + x) * 3,
          (y * 80 + x) * 3 + 3,
        )
    const good = encodePng(photo)
    await writeFile(join(photos, 'good.png'), good)
    await writeFile(join(photos, 'cut.png'), good.subarray(0, good.length - 20))
    await writeFile(join(photos, 'fake.jpg'), 'this is not a jpeg')
    const huge = good.slice()
    new DataView(huge.buffer).setUint32(16, 50_000)
    await writeFile(join(photos, 'huge.png'), huge)
    const r = step(
      'dataset',
      'edges',
      '--from',
      photos,
      '--out',
      join(tmp, 'edges'),
      '--size',
      '64',
    )
    expect(r.code, r.stderr).toBe(0)
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('step: warning:'))
    expect(warnings).toEqual([
      `step: warning: skipped ${join(photos, 'cut.png')}: truncated PNG: chunk 'IDAT' at byte 33 needs ${good.length - 12} bytes, the file has ${good.length - 20}`,
      `step: warning: skipped ${join(photos, 'fake.jpg')}: not a PNG or JPEG file (starts with 74 68 69 73)`,
      `step: warning: skipped ${join(photos, 'huge.png')}: 50000x60 pixels exceeds the limit (sides <= 8192, <= 40000000 pixels)`,
    ])
    expect(r.stdout).toContain('wrote 1 pairs')
    const pair = decodeImage(await readFile(join(tmp, 'edges', 'good.png')))
    expect([pair.width, pair.height]).toEqual([128, 64])
    // A (left) has dark edge pixels on white; B (right) is the photo
    let dark = 0
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++) if ((pair.data[(y * 128 + x) * 3] ?? 255) < 128) dark++
    expect(dark).toBeGreaterThan(60)
    expect(dark).toBeLessThan(400)
  })

  it('fails with one line naming a missing folder, and never writes into a foreign folder', async () => {
    const r = step('dataset', 'edges', '--from', join(tmp, 'nope'), '--out', join(tmp, 'e2'))
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`step dataset edges: ${join(tmp, 'nope')}: folder does not exist`)
    const foreign = join(tmp, 'mine')
    await mkdir(foreign)
    await writeFile(join(foreign, 'thesis.txt'), 'precious')
    const f = step('dataset', 'edges', '--from', join(tmp, 'photos'), '--out', foreign)
    expect(f.code).toBe(1)
    expect(f.stderr.trim()).toMatch(
      new RegExp(`^step dataset edges: ${foreign}: folder is not empty`),
    )
    expect(await readdir(foreign)).toEqual(['thesis.txt'])
  })
})

describe('step demo and info', () => {
  it('demo writes a contact sheet of the synthetic pairs', async () => {
    const r = step('demo', '--out', join(tmp, 'demo'), '--count', '8', '--size', '32', '--no-model')
    expect(r.code, r.stderr).toBe(0)
    const sheet = decodeImage(await readFile(join(tmp, 'demo', 'contact-sheet.png')))
    expect([sheet.width, sheet.height]).toEqual([4 * 64 + 5 * 4, 2 * 32 + 3 * 4])
    expect(r.stdout).not.toContain('samples:')
  })

  it('demo with the shipped default model writes reconstruction, sample, transfer and interpolation sheets at its size', async () => {
    const out = join(tmp, 'demo-model')
    const r = step('demo', '--out', out, '--backend', 'wasm')
    expect(r.code, r.stderr).toBe(0)
    const size = (await readManifest(DEFAULT_MODEL)).dataset.size
    const cell = size + 2 // the model's size plus the grid gap
    const sheets = {
      // [width, height] and the generated cells [column, row]
      'reconstruction.png': [8, 3, (_c: number, r: number) => r === 2], // rows A, B, G(A, E(B))
      'samples.png': [9, 4, (c: number) => c >= 1], // A + 8 samples per content row
      'transfer.png': [7, 5, (c: number, r: number) => c >= 1 && r >= 1], // style row on top
      'interpolation.png': [11, 2, (c: number, r: number) => c >= 1 && r === 1],
    } as const
    for (const [name, [cols, rows, generated]] of Object.entries(sheets)) {
      const img = decodeImage(await readFile(join(out, name)))
      expect([img.width, img.height], name).toEqual([cols * cell + 2, rows * cell + 2])
      const cells: string[] = []
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) {
          if (!generated(c, r)) continue
          // every generated cell is a picture (not flat), and no two are the same
          let [min, max, sum] = [255, 0, 0]
          for (let y = 0; y < size; y++)
            for (let x = 0; x < size; x++)
              for (let k = 0; k < 3; k++) {
                const v = img.data[((2 + r * cell + y) * img.width + 2 + c * cell + x) * 3 + k] ?? 0
                ;[min, max, sum] = [Math.min(min, v), Math.max(max, v), sum + v]
              }
          expect(max - min, `${name} cell ${c},${r}`).toBeGreaterThan(40)
          cells.push(`${min}/${max}/${sum}`)
        }
      expect(new Set(cells).size, name).toBe(cells.length)
    }
  })
})

describe('step <command> --help', () => {
  it('prints the usage and exits 0 even though required flags are missing', () => {
    for (const words of [
      ['train', 'generator'],
      ['eval', 'encoder'],
      ['dataset', 'synth'],
    ]) {
      const r = step(...words, '--help')
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout.startsWith(`usage: step ${words.join(' ')} `)).toBe(true)
    }
  })
})

describe('step train encoder / encode / eval encoder', () => {
  it('trains a tiny encoder, resumes, encodes images and evaluates retrieval', async () => {
    const data = join(tmp, 'tiny')
    expect(
      step('dataset', 'synth', '--out', data, '--count', '24', '--size', '16', '--seed', '5').code,
    ).toBe(0)
    const ckpt = join(tmp, 'enc')
    const common = [
      '--data',
      data,
      '--out',
      ckpt,
      '--size',
      '16',
      '--batch',
      '4',
      '--features',
      'random',
      '--backend',
      'cpu',
      '--cache',
      join(tmp, 'cache'),
      '--every',
      '2',
    ]
    const first = step('train', 'encoder', ...common, '--steps', '2')
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('finished at step 2/2')
    const again = step('train', 'encoder', ...common, '--steps', '4')
    expect(again.code).toBe(1)
    expect(again.stderr.trim()).toBe(
      `step train encoder: ${ckpt}: already holds a checkpoint; pass --resume to continue it, or choose another --out`,
    )
    const resumed = step('train', 'encoder', ...common, '--steps', '4', '--resume')
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stdout).toContain('mining: neighbour lists loaded from the cache')
    expect(resumed.stdout).toContain('finished at step 4/4')
    const manifest = JSON.parse(await readFile(join(ckpt, 'manifest.json'), 'utf8')) as {
      step: number
      stage: string
    }
    expect(manifest).toMatchObject({ step: 4, stage: 'encoder' })

    const enc = step(
      'encode',
      '--model',
      ckpt,
      '--backend',
      'cpu',
      join(data, '00000.png'),
      join(data, '00001.png'),
    )
    expect(enc.code, enc.stderr).toBe(0)
    const lines = enc.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; z: number[] })
    expect(lines.map((l) => l.file)).toEqual([join(data, '00000.png'), join(data, '00001.png')])
    for (const l of lines) expect(l.z).toHaveLength(8)
    expect(lines[0]?.z).not.toEqual(lines[1]?.z)
    const missing = step('encode', '--model', ckpt, '--backend', 'cpu', join(data, 'nope.png'))
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim().split('\n').at(-1)).toBe(
      `step: warning: ${join(data, 'nope.png')}: file not found`,
    )

    const ev = step(
      'eval',
      'encoder',
      '--model',
      ckpt,
      '--data',
      data,
      '--backend',
      'cpu',
      '--k',
      '3',
    )
    expect(ev.code, ev.stderr).toBe(0)
    const report = JSON.parse(ev.stdout) as {
      n: number
      k: number
      precision: Record<string, number>
    }
    expect(report.n).toBe(24)
    expect(report.k).toBe(3)
    for (const key of ['encoder', 'teacher', 'untrained', 'chance']) {
      expect(report.precision[key]).toBeGreaterThanOrEqual(0)
      expect(report.precision[key]).toBeLessThanOrEqual(1)
    }
    expect(report.precision.chance).toBeLessThan(0.5)
  }, 180_000)
})
