/**
 * Decodes PNG and JPEG bytes into an 8-bit RGB image, in Node, browsers and workers alike (pure
 * JavaScript codecs, so every platform produces the same pixels).
 *
 * Policy: grey is replicated to RGB; alpha is composited over WHITE (drawings with transparent
 * backgrounds then look as drawn); 16-bit samples are rounded to 8 bits; palettes are expanded.
 * Limits (DEFAULT_IMAGE_LIMITS) are checked on the header before pixels are allocated.
 */
import { decode as decodePngRaw, convertIndexedToRgb } from 'fast-png'
import jpeg from 'jpeg-js'
import { InputError, errorMessage } from '../errors.js'
import { readImageHeader, type ImageHeader } from './header.js'
import { DEFAULT_IMAGE_LIMITS, type ImageLimits, type RgbImage } from './types.js'

/** Options for decodeImage. */
export interface DecodeOptions {
  /** Where the bytes came from (file path or URL), used in every error message. */
  readonly where?: string
  /** Size limits; DEFAULT_IMAGE_LIMITS when omitted. */
  readonly limits?: Partial<ImageLimits>
}

/** Checks the file size and the header's dimensions against the limits. */
export function checkImageLimits(
  bytes: Uint8Array,
  where: string,
  limits: ImageLimits,
): ImageHeader {
  if (bytes.length > limits.maxBytes) {
    throw new InputError(
      'image/too-large',
      `file is ${bytes.length} bytes, the limit is ${limits.maxBytes}`,
      where,
    )
  }
  const header = readImageHeader(bytes, where)
  const { width, height } = header
  if (width === 0 || height === 0) {
    throw new InputError('image/corrupt', `header says ${width}x${height} pixels`, where)
  }
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new InputError(
      'image/too-large',
      `${width}x${height} pixels exceeds the limit (sides <= ${limits.maxSide}, <= ${limits.maxPixels} pixels)`,
      where,
    )
  }
  return header
}

/** Decodes PNG or JPEG bytes into RGB, or throws InputError naming `options.where`. */
export function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): RgbImage {
  const where = options.where ?? '<image>'
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...options.limits }
  const header = checkImageLimits(bytes, where, limits)
  let image: RgbImage
  try {
    image = header.format === 'png' ? decodePng(bytes) : decodeJpeg(bytes, limits)
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.code, err.message, where)
    const msg = errorMessage(err)
    const truncated =
      /end of|out of range|offset|outside the bounds|unexpected end|incomplete/i.test(msg)
    throw new InputError(
      truncated ? 'image/truncated' : 'image/corrupt',
      `${truncated ? 'truncated' : 'corrupt'} ${header.format.toUpperCase()} (${msg})`,
      where,
      { cause: err },
    )
  }
  if (image.width !== header.width || image.height !== header.height) {
    throw new InputError(
      'image/corrupt',
      `decoded ${image.width}x${image.height} but the header says ${header.width}x${header.height}`,
      where,
    )
  }
  return image
}

function decodePng(bytes: Uint8Array): RgbImage {
  const png = decodePngRaw(bytes, { checkCrc: true })
  const { width, height } = png
  const n = width * height
  let src: ArrayLike<number> = png.data
  let channels = png.channels
  let max = png.depth === 16 ? 65535 : 255
  if (png.palette) {
    src = convertIndexedToRgb(png)
    channels = src.length / n
    max = 255
  } else if (png.depth < 8) {
    src = unpackBits(png.data, width, height, png.depth)
    max = (1 << png.depth) - 1
  }
  if (src.length < n * channels) {
    throw new InputError('image/truncated', `truncated PNG: ${src.length} samples for ${n} pixels`)
  }
  return toRgb(src, width, height, channels, max)
}

/** Expands 1/2/4-bit grey rows (each row padded to whole bytes) into one sample per pixel. */
function unpackBits(
  data: ArrayLike<number>,
  width: number,
  height: number,
  depth: number,
): Uint8Array {
  const out = new Uint8Array(width * height)
  const rowBytes = Math.ceil((width * depth) / 8)
  const mask = (1 << depth) - 1
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth
      const byte = data[y * rowBytes + (bit >> 3)] ?? 0
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask
    }
  }
  return out
}

/** Converts grey / grey+alpha / RGB / RGBA samples to 8-bit RGB, alpha over white. */
function toRgb(
  src: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  max: number,
): RgbImage {
  if (channels < 1 || channels > 4) {
    throw new InputError('image/unsupported', `${channels} channels per pixel`)
  }
  const n = width * height
  const out = new Uint8Array(n * 3)
  const hasAlpha = channels === 2 || channels === 4
  const colour = channels >= 3 ? 3 : 1
  const scale = 255 / max
  for (let i = 0; i < n; i++) {
    const base = i * channels
    const alpha = hasAlpha ? (src[base + channels - 1] ?? max) / max : 1
    for (let c = 0; c < 3; c++) {
      const v = (src[base + (colour === 3 ? c : 0)] ?? 0) * scale
      out[i * 3 + c] = Math.round(v * alpha + 255 * (1 - alpha))
    }
  }
  return { width, height, data: out }
}

function hasEndOfImage(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= 2; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true
  }
  return false
}

function decodeJpeg(bytes: Uint8Array, limits: ImageLimits): RgbImage {
  if (!hasEndOfImage(bytes)) {
    throw new InputError(
      'image/truncated',
      `truncated JPEG: no end-of-image marker in ${bytes.length} bytes`,
    )
  }
  const img = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    maxResolutionInMP: limits.maxPixels / 1e6,
    maxMemoryUsageInMB: 1024,
  })
  return {
    width: img.width,
    height: img.height,
    data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.width * img.height * 3),
  }
}
