/** CLI habits: --version, did-you-mean for commands and flags, --json, --out x.jpg. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { closest, editDistance } from '../src/cli/did-you-mean.js'
import { decodeImage } from '../src/core/image/decode.js'
import { step } from './helpers/step-cli.js'

const ROOT = join(import.meta.dirname, '..')
const dir = mkdtempSync(join(ROOT, 'out-habits-'))
const rel = relative(process.cwd(), dir)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('step CLI habits', () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    const r = step('--version')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`step-graph ${pkg.version}\n`)
  }, 240_000)

  it('suggests the closest command and flag', () => {
    expect(editDistance('genrate', 'generate')).toBe(1)
    expect(closest('xyz', ['generate', 'sample'])).toBeNull()
    let r = step('genrate')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^step: unknown command 'genrate' \(did you mean 'generate'\?\)/)
    r = step('trian', 'encoder')
    expect(r.stderr).toMatch(/unknown command 'trian encoder' \(did you mean 'train encoder'\?\)/)
    r = step('sample', '--modle', 'x')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^step sample: Unknown option '--modle' \(did you mean '--model'\?\)/)
  }, 240_000)

  it('--out x.jpg writes a JPEG; --json prints one JSON object', () => {
    const out = join(rel, 'g.jpg')
    const r = step(
      'generate',
      '--model',
      'examples/models/default',
      '--input',
      'examples/images/content-1.png',
      '--style',
      'examples/images/style-1.png',
      '--out',
      out,
      '--backend',
      'wasm',
      '--json',
    )
    expect(r.code, r.stderr).toBe(0)
    const json = JSON.parse(r.stdout) as { out: string; width: number; height: number }
    expect(json.out).toBe(out)
    const bytes = new Uint8Array(readFileSync(out))
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8])
    const image = decodeImage(bytes)
    expect([image.width, image.height]).toEqual([json.width, json.height])
    const png = join(rel, 'g.png')
    expect(
      step(
        'generate',
        '--model',
        'examples/models/default',
        '--input',
        'examples/images/content-1.png',
        '--style',
        'examples/images/style-1.png',
        '--out',
        png,
        '--backend',
        'wasm',
      ).code,
    ).toBe(0)
    // lossy, but close: mean absolute difference to the PNG's pixels under 4 levels
    const ref = decodeImage(new Uint8Array(readFileSync(png)))
    const mad =
      ref.data.reduce((s, v, i) => s + Math.abs(v - (image.data[i] ?? 0)), 0) / ref.data.length
    expect(mad).toBeLessThan(4)
  }, 240_000)
})
