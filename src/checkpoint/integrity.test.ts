import * as tf from '@tensorflow/tfjs'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { InputError } from '../core/errors.js'
import { sha256Hex, sha256HexPure } from '../core/sha256.js'
import { decodeBundle, encodeBundle } from './bundle.js'
import { fetchCheckpoint } from './fetch-store.js'
import type { CheckpointDraft } from './format.js'
import { CheckpointShelf } from './memory-store.js'
import { loadCheckpoint, readManifest, saveCheckpoint } from './folder-store.node.js'
import { writeAtomic } from './files.node.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const draft = (step: number): CheckpointDraft => ({
  stage: 'encoder',
  step,
  steps: 10,
  seed: 1,
  config: {},
  dataset: { label: 'd', fingerprint: 'f', size: 64, count: 4 },
  extractor: null,
  training: {},
})

async function values(dir: string): Promise<number[]> {
  const loaded = await loadCheckpoint(dir)
  const out = Array.from(await (loaded.groups.encoder?.[0]?.tensor as tf.Tensor).data())
  for (const g of Object.values(loaded.groups)) tf.dispose(g.map((x) => x.tensor))
  return out
}

async function saveValues(dir: string, step: number, v: number[]) {
  const w = tf.tensor1d(v)
  try {
    return await saveCheckpoint(dir, draft(step), { encoder: [{ name: 'w', tensor: w }] })
  } finally {
    w.dispose()
  }
}

describe('sha256', () => {
  it('matches the FIPS 180-4 vectors, in WebCrypto and in the pure fallback', async () => {
    const enc = (s: string) => new TextEncoder().encode(s)
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    expect(await sha256Hex(enc('abc'))).toBe(abc)
    expect(sha256HexPure(enc('abc'))).toBe(abc)
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    expect(sha256HexPure(new Uint8Array(0))).toBe(empty)
    const two = enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq') // 56 bytes: 2 blocks
    const twoSha = '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
    expect(sha256HexPure(two)).toBe(twoSha)
    expect(await sha256Hex(two)).toBe(twoSha)
    const big = new Uint8Array(1_000_003).map((_, i) => (i * 31 + 7) & 0xff)
    expect(sha256HexPure(big)).toBe(await sha256Hex(big.buffer))
  })
})

describe('checkpoint integrity', () => {
  it('records a SHA-256 per weights file and names files by it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'step-ckpt-'))
    const m = await saveValues(dir, 3, [1, 2, 3])
    const w = m.weights.encoder
    const bytes = await readFile(join(dir, w?.file ?? ''))
    expect(w?.sha256).toBe(await sha256Hex(bytes))
    expect(w?.file).toBe(`encoder-0000003-${w?.sha256?.slice(0, 12)}.bin`)
    expect(await values(dir)).toEqual([1, 2, 3])
  })

  it('refuses a damaged weights file naming the file, both checksums and the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'step-ckpt-'))
    const m = await saveValues(dir, 1, [1, 2, 3, 4])
    const file = m.weights.encoder?.file ?? ''
    const bytes = await readFile(join(dir, file))
    bytes[5] = (bytes[5] ?? 0) ^ 1 // one bit: same size, other content
    await writeFile(join(dir, file), bytes)
    const err = await loadCheckpoint(dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).code).toBe('checkpoint/checksum')
    expect((err as Error).message).toBe(
      `${dir}: weights file ${file} fails its checksum (manifest sha256 ${m.weights.encoder?.sha256}, file sha256 ${await sha256Hex(bytes)}); the checkpoint is damaged (restore it or train again from an earlier one)`,
    )
  })

  it('verifies the shipped model; loads checkpoints written before checksums (no sha256)', async () => {
    const shipped = await loadCheckpoint('examples/models/default')
    expect(shipped.manifest.weights.generator?.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(shipped.manifest.step).toBe(500)
    expect(shipped.groups.generator?.length).toBeGreaterThan(0)
    for (const g of Object.values(shipped.groups)) tf.dispose(g.map((x) => x.tensor))
    const dir = await mkdtemp(join(tmpdir(), 'step-ckpt-'))
    await saveValues(dir, 2, [5, 6])
    const old = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      weights: { encoder: { sha256?: string } }
    }
    delete old.weights.encoder.sha256
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(old))
    expect(await values(dir)).toEqual([5, 6])
  })

  it('a new save at the same step never touches the files of the current manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'step-ckpt-'))
    const a = await saveValues(dir, 4, [1, 1])
    const b = await saveValues(dir, 4, [2, 2])
    expect(b.weights.encoder?.file).not.toBe(a.weights.encoder?.file)
    expect(await values(dir)).toEqual([2, 2])
    expect((await readdir(dir)).sort()).toEqual([b.weights.encoder?.file, 'manifest.json'])
  })

  it('removes temp files of dead processes on the next save, never those of live ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'step-ckpt-'))
    await saveValues(dir, 1, [1])
    const dead = 2 ** 22 + 12345 // above Linux's pid_max default: no such process
    await writeFile(join(dir, `manifest.json.${dead}.tmp`), '{"half')
    await writeFile(join(dir, `encoder-0000002-aaaaaaaaaaaa.bin.${dead}.tmp`), 'x')
    await writeFile(join(dir, `manifest.json.${process.ppid}.tmp`), '{')
    expect(await values(dir)).toEqual([1]) // a temp file never shadows the manifest
    await saveValues(dir, 2, [2])
    const left = await readdir(dir)
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([`manifest.json.${process.ppid}.tmp`])
    await writeAtomic(join(dir, 'x.txt'), 'y')
    expect(await readFile(join(dir, 'x.txt'), 'utf8')).toBe('y')
    expect((await readManifest(dir)).step).toBe(2)
  })

  it('in memory, in bundles and over HTTP a damaged file is refused the same way', async () => {
    const shelf = new CheckpointShelf()
    const w = tf.tensor1d([1, 2, 3, 4])
    const m = await shelf.io('m').save(draft(7), { encoder: [{ name: 'w', tensor: w }] })
    w.dispose()
    const stored = shelf.checkpoints.get('m')
    const file = m.weights.encoder?.file ?? ''
    const good = stored?.files.get(file)
    if (!stored || !good) throw new Error('not saved')
    const text = encodeBundle({ path: 'm', ...stored })
    const bad = new Uint8Array(good.slice(0))
    bad[0] = (bad[0] ?? 0) ^ 0x80
    stored.files.set(file, bad.buffer)
    const expected = `fails its checksum (manifest sha256 ${m.weights.encoder?.sha256}, file sha256 ${await sha256Hex(bad)})`
    await expect(shelf.load('m')).rejects.toThrow(`m: weights file ${file} ${expected}`)
    const bundle = JSON.parse(text) as { files: Record<string, string> }
    bundle.files[file] = Buffer.from(bad).toString('base64')
    await expect(decodeBundle(JSON.stringify(bundle), 'm.stepckpt')).rejects.toThrow(
      `m.stepckpt: weights file ${file} ${expected}`,
    )
    const served = new Map<string, BodyInit>([
      ['https://x/m/manifest.json', JSON.stringify(m)],
      [`https://x/m/${file}`, bad],
    ])
    const fetcher: typeof fetch = (url) => {
      const key = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url
      const body = served.get(key)
      return Promise.resolve(new Response(body ?? null, { status: body ? 200 : 404 }))
    }
    await expect(fetchCheckpoint('https://x/m', fetcher)).rejects.toThrow(
      `https://x/m: weights file ${file} ${expected}`,
    )
  })
})
