/**
 * The image fuzzer: seeded mutations of real PNG and JPEG files (the examples' PNGs plus small
 * encoded grey, alpha, 16-bit, provenance-carrying PNGs and a JPEG): truncation, flipped bytes,
 * wrong magic, absurd or zero dimensions (with the IHDR CRC repaired so decoders see them), broken
 * chunk lengths, missing chunks. Each goes through decodeImage (what Load Image and the datasets
 * use) and, for PNGs, through presetFromBytes (`step run image.png`, the editor's Load).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { encode as encodePngRaw } from 'fast-png'
import jpeg from 'jpeg-js'
import { decodeImage } from '../../src/core/image/decode.js'
import { encodePng } from '../../src/core/image/encode.js'
import { sniffFormat } from '../../src/core/image/header.js'
import { createRng, deriveSeed, type Rng } from '../../src/core/rng.js'
import { loadPreset } from '../../src/runtime/preset.js'
import { presetFromBytes } from '../../src/runtime/preset-source.js'
import { classifyThrow, type Outcome } from './check.js'

const ROOT = join(import.meta.dirname, '..', '..')

function pixels(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256))
}

/** The seed files: examples/images/*.png and small encoded variants of every kind decoded. */
export function seedImages(): Uint8Array[] {
  const dir = join(ROOT, 'examples/images')
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))))
  const rng = createRng(7)
  const w = 12
  const h = 9
  const png = (channels: number, depth: 8 | 16) =>
    encodePngRaw({
      width: w,
      height: h,
      channels,
      depth,
      data:
        depth === 16
          ? Uint16Array.from(pixels(rng, w * h * channels), (v) => v * 257)
          : pixels(rng, w * h * channels),
    })
  const rgb = { width: w, height: h, data: pixels(rng, w * h * 3) }
  const preset = readFileSync(join(ROOT, 'examples/presets/style-transfer.json'), 'utf8')
  const rgba = Buffer.from(pixels(rng, 16 * 16 * 4))
  const jpg = jpeg.encode({ width: 16, height: 16, data: rgba }, 80).data
  return [
    ...files,
    png(1, 8),
    png(2, 8),
    png(4, 8),
    png(3, 16),
    encodePng(rgb, { 'step-preset': preset, 'step-seeds': '{}', 'step-base': '/tmp' }),
    new Uint8Array(jpg.buffer, jpg.byteOffset, jpg.byteLength),
  ]
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(b: Uint8Array): number {
  let c = 0xffffffff
  for (const x of b) c = (CRC_TABLE[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** PNG chunks: [offset, length, type]. */
function chunks(b: Uint8Array): [number, number, string][] {
  const out: [number, number, string][] = []
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  let o = 8
  while (o + 12 <= b.length) {
    const len = v.getUint32(o)
    out.push([o, len, String.fromCharCode(...b.subarray(o + 4, o + 8))])
    o += 12 + len
  }
  return out
}

function fixCrc(b: Uint8Array, offset: number, length: number): void {
  const crc = crc32(b.subarray(offset + 4, offset + 8 + length))
  if (offset + 12 + length <= b.length)
    new DataView(b.buffer, b.byteOffset).setUint32(offset + 8 + length, crc)
}

const ABSURD = [0, 1, 8193, 65535, 0x7fffffff, 0xffffffff, 7000, 100_000]

function mutateImage(src: Uint8Array, rng: Rng): Uint8Array {
  const b = src.slice()
  const v = new DataView(b.buffer)
  const png = sniffFormat(b) === 'png'
  if (b.length < 2) return Uint8Array.from([...b, rng.int(256)])
  switch (rng.int(10)) {
    case 0:
      return b.slice(0, rng.int(b.length))
    case 1: {
      for (let i = rng.int(8) + 1; i > 0; i--) b[rng.int(b.length)] = rng.int(256)
      return b
    }
    case 2: {
      // wrong magic: random bytes, or the other format's
      if (rng.next() < 0.5)
        for (let i = 0; i < 1 + rng.int(8); i++) b[rng.int(Math.min(8, b.length))] = rng.int(256)
      else b.set(png ? [0xff, 0xd8, 0xff, 0xe0] : [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
      return b
    }
    case 3:
    case 4: {
      // absurd or zero dimensions, CRC repaired
      if (png && b.length >= 33) {
        v.setUint32(16, rng.next() < 0.5 ? rng.pick(ABSURD) : v.getUint32(16))
        v.setUint32(20, rng.pick(ABSURD))
        fixCrc(b, 8, 13)
      } else {
        const sof = b.findIndex((x, i) => x === 0xff && b[i + 1] === 0xc0)
        if (sof >= 0 && sof + 9 <= b.length) {
          v.setUint16(sof + 5, rng.pick([0, 1, 8193, 65535]))
          v.setUint16(sof + 7, rng.pick([0, 1, 8193, 65535, 16]))
        }
      }
      return b
    }
    case 5: {
      // IHDR fields (depth, colour type, interlace) changed, CRC repaired
      if (png && b.length >= 33) {
        b[24 + rng.int(5)] = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 255])
        fixCrc(b, 8, 13)
      }
      return b
    }
    case 6: {
      // a chunk length that runs past the end or wraps
      const cs = png ? chunks(b) : []
      if (cs.length > 0)
        v.setUint32(rng.pick(cs)[0], rng.pick([0xffffffff, 0x7fffffff, b.length, 0]))
      return b
    }
    case 7: {
      // a chunk removed (IDAT, IEND, IHDR...)
      const cs = png ? chunks(b) : []
      if (cs.length === 0) return b.slice(0, b.length >> 1)
      const [o, len] = rng.pick(cs)
      return Uint8Array.from([...b.subarray(0, o), ...b.subarray(o + 12 + len)])
    }
    case 8: {
      // compressed data corrupted, CRC repaired (the inflater sees garbage)
      const idat = png ? chunks(b).filter((c) => c[2] === 'IDAT') : []
      if (idat.length === 0) {
        b[2 + rng.int(Math.max(1, b.length - 2))] = rng.int(256)
        return b
      }
      const [o, len] = rng.pick(idat)
      for (let i = 0; i < 1 + rng.int(6); i++) b[o + 8 + rng.int(Math.max(1, len))] = rng.int(256)
      fixCrc(b, o, len)
      return b
    }
    default:
      return rng.pick([
        new Uint8Array(0),
        b.slice(0, 8),
        b.slice(0, 33),
        Uint8Array.from([0xff, 0xd8, 0xff]),
      ])
  }
}

/** Case `index` of the image stream seeded by `seed`. */
export function imageCase(
  seeds: readonly Uint8Array[],
  seed: number,
  index: number,
): { name: string; bytes: Uint8Array } {
  const rng = createRng(deriveSeed(seed, 'image', index))
  let b = rng.pick(seeds)
  for (let i = 1 + rng.int(2); i > 0; i--) b = mutateImage(b, rng)
  return { name: `image-${seed}-${index}.bin`, bytes: b }
}

/** Decodes `bytes` as Load Image does and reads a PNG's graph as `step run image.png` does. */
export function runImageCase(name: string, bytes: Uint8Array): Outcome {
  let outcome: Outcome = { kind: 'accepted' }
  try {
    const image = decodeImage(bytes, { where: name })
    if (image.data.length !== image.width * image.height * 3)
      return {
        kind: 'failure',
        reason: `decoded ${image.data.length} bytes for ${image.width}x${image.height}`,
      }
  } catch (err) {
    outcome = classifyThrow(err, name)
    if (outcome.kind === 'failure') return outcome
  }
  if (sniffFormat(bytes) === 'png') {
    try {
      loadPreset(presetFromBytes(bytes, name).json, name)
    } catch (err) {
      const o = classifyThrow(err, name)
      if (o.kind === 'failure') return o
    }
  }
  return outcome
}
