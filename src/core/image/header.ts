/**
 * Reads an image file's format and dimensions from its header alone, so that limits are checked
 * before a decoder allocates anything. Throws InputError naming the file for anything malformed.
 */
import { InputError } from '../errors.js'

/** Formats the project decodes. */
export type ImageFormat = 'png' | 'jpeg'

/** What the header says. */
export interface ImageHeader {
  readonly format: ImageFormat
  readonly width: number
  readonly height: number
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** Detects PNG or JPEG by magic bytes; null for anything else. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'png'
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpeg'
  }
  return null
}

function u16be(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0)
}

function u32be(b: Uint8Array, o: number): number {
  return (
    (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0
  )
}

function pngHeader(bytes: Uint8Array, where: string): ImageHeader {
  // signature(8) + length(4) + 'IHDR'(4) + width(4) + height(4)
  if (bytes.length < 33) {
    throw new InputError(
      'image/truncated',
      `truncated PNG: ${bytes.length} bytes, the header alone needs 33`,
      where,
    )
  }
  const type = String.fromCharCode(...bytes.subarray(12, 16))
  if (type !== 'IHDR') {
    throw new InputError(
      'image/corrupt',
      `corrupt PNG: first chunk is '${type}', expected 'IHDR'`,
      where,
    )
  }
  checkPngChunks(bytes, where)
  return { format: 'png', width: u32be(bytes, 16), height: u32be(bytes, 20) }
}

/** Walks the chunk list: a chunk running past the end, or no IEND, means the file was cut short. */
function checkPngChunks(bytes: Uint8Array, where: string): void {
  let o = 8
  while (o + 8 <= bytes.length) {
    const length = u32be(bytes, o)
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8))
    const end = o + 12 + length
    if (end > bytes.length) {
      throw new InputError(
        'image/truncated',
        `truncated PNG: chunk '${type}' at byte ${o} needs ${end} bytes, the file has ${bytes.length}`,
        where,
      )
    }
    if (type === 'IEND') return
    o = end
  }
  throw new InputError(
    'image/truncated',
    `truncated PNG: no IEND chunk in ${bytes.length} bytes`,
    where,
  )
}

const SOF_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
])

function jpegHeader(bytes: Uint8Array, where: string): ImageHeader {
  let o = 2
  while (o + 4 <= bytes.length) {
    if (bytes[o] !== 0xff) {
      throw new InputError('image/corrupt', `corrupt JPEG: expected a marker at byte ${o}`, where)
    }
    const marker = bytes[o + 1] ?? 0
    if (marker === 0xff) {
      o += 1 // fill byte
      continue
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      o += 2
      continue
    }
    if (marker === 0xd9 || marker === 0xda) break // EOI or scan before any frame header
    const len = u16be(bytes, o + 2)
    if (len < 2)
      throw new InputError(
        'image/corrupt',
        `corrupt JPEG: segment length ${len} at byte ${o}`,
        where,
      )
    if (SOF_MARKERS.has(marker)) {
      if (o + 9 > bytes.length) break
      return { format: 'jpeg', height: u16be(bytes, o + 5), width: u16be(bytes, o + 7) }
    }
    o += 2 + len
  }
  throw new InputError(
    'image/truncated',
    `truncated JPEG: no frame header in ${bytes.length} bytes`,
    where,
  )
}

/** Format and size of an image file, or an InputError naming `where`. */
export function readImageHeader(bytes: Uint8Array, where: string): ImageHeader {
  if (bytes.length === 0) throw new InputError('image/empty', 'empty file (0 bytes)', where)
  const format = sniffFormat(bytes)
  if (format === null) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')
    throw new InputError(
      'image/unknown-format',
      `not a PNG or JPEG file (starts with ${head})`,
      where,
    )
  }
  return format === 'png' ? pngHeader(bytes, where) : jpegHeader(bytes, where)
}
