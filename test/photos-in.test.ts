/**
 * Any input size through the CLI (docs/decisions/0023-photos-in.md): a 4000x3000 JPEG made at
 * test time goes through generate, sample, interpolate and run with the shipped model; it is
 * scaled down to the max side (1024, or --max-side) before anything is allocated for it, and a
 * file beyond the decode limits is refused with one line naming the file and the limit.
 */
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../src/core/image/decode.js'
import { DEFAULT_MODEL } from '../src/runtime/env.node.js'
import { bigJpeg, pngClaiming } from './helpers/big-photo.js'
import { step } from './helpers/step-cli.js'

const STYLE = join(import.meta.dirname, '../examples/images/style-1.png')
const PRESET = join(import.meta.dirname, '../examples/presets/style-transfer.json')
const MODEL = ['--model', DEFAULT_MODEL]

let tmp = ''
let photo = ''
let huge = ''

async function pngSize(file: string): Promise<[number, number]> {
  const img = decodeImage(new Uint8Array(await readFile(file)), { where: file })
  return [img.width, img.height]
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'step-photos-in-'))
  photo = join(tmp, 'photo-4000x3000.jpg')
  huge = join(tmp, 'huge.png')
  await writeFile(photo, bigJpeg(4000, 3000))
  await writeFile(huge, pngClaiming(20000, 15000))
})

// each test starts two or three `step` processes that decode and fit a 12-megapixel JPEG
describe('a 4000x3000 JPEG through every CLI entry point', { timeout: 300_000 }, () => {
  it('generate: fitted to 1024x768 by default, to --max-side when given', async () => {
    const out = join(tmp, 'generated.png')
    const r = step('generate', ...MODEL, '--input', photo, '--style', STYLE, '--out', out)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('(1024x768)')
    expect(await pngSize(out)).toEqual([1024, 768])
    const small = join(tmp, 'generated-512.png')
    const s = step(
      'generate',
      ...MODEL,
      '--input',
      photo,
      '--style',
      photo,
      '--out',
      small,
      '--max-side',
      '512',
    )
    expect(s.code, s.stderr).toBe(0)
    expect(await pngSize(small)).toEqual([512, 384])
  })

  it('sample and interpolate: run, with the fitted photo in the grid', async () => {
    const grid = join(tmp, 'samples.png')
    const args = ['--input', photo, '--max-side', '256']
    const s = step('sample', ...MODEL, ...args, '--out', grid, '--count', '3')
    expect(s.code, s.stderr).toBe(0)
    // 2 x 2 cells of 256x192 with 2-px gaps
    expect(await pngSize(grid)).toEqual([2 * 256 + 3 * 2, 2 * 192 + 3 * 2])
    const strip = join(tmp, 'strip.png')
    const styles = `${STYLE},${photo}`
    const i = step('interpolate', ...MODEL, ...args, '--styles', styles, '--out', strip)
    expect(i.code, i.stderr).toBe(0)
    const [, h] = await pngSize(strip)
    expect(h).toBe(2 * 192 + 3 * 2)
  })

  it('run: the photo as Load Image of the style-transfer preset', async () => {
    const out = join(tmp, 'run')
    const r = step(
      'run',
      PRESET,
      '--set',
      `Content.path=${photo}`,
      '--set',
      'Content.max_side=320',
      '--out',
      out,
    )
    expect(r.code, r.stderr).toBe(0)
    const files = (await readdir(out)).filter((f) => f.endsWith('.png'))
    expect(files.length).toBeGreaterThan(0)
  })

  it('a file beyond the decode limits: one line naming the file and the limit', () => {
    const r = step(
      'generate',
      ...MODEL,
      '--input',
      huge,
      '--style',
      STYLE,
      '--out',
      join(tmp, 'x.png'),
    )
    expect(r.code).not.toBe(0)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(huge)
    expect(lines[0]).toMatch(/20000x15000 pixels exceeds the limit \(sides <= 8192/)
  })

  it('a --max-side outside 16..8192: a usage error naming the flag', () => {
    const r = step(
      'generate',
      ...MODEL,
      '--input',
      photo,
      '--style',
      STYLE,
      '--out',
      'x.png',
      '--max-side',
      '9',
    )
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/--max-side.*16, 8192/)
  })
})

describe('native backend messages stay off stderr', { timeout: 120_000 }, () => {
  it('step generate in auto mode prints nothing on stderr (Dawn is asked in a child process)', () => {
    const out = join(tmp, 'quiet.png')
    const content = join(import.meta.dirname, '../examples/images/content-1.png')
    const r = step('generate', ...MODEL, '--input', content, '--style', STYLE, '--out', out)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('(128x128)')
    expect(r.stderr).toBe('')
  })
})
