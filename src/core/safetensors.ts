/**
 * The safetensors file format, read and written here without a library: an 8-byte little-endian
 * header length N, N bytes of JSON ({ name: { dtype, shape, data_offsets: [begin, end] },
 * "__metadata__": { string: string } }), then the raw little-endian tensor bytes, offsets relative
 * to the end of the header. Written files hold float32 ('F32') tensors, the header padded with
 * spaces to a multiple of 8 bytes; read files may also hold F16, BF16 or F64 (turned into
 * float32). Errors name the file and the tensor.
 */
import { InputError } from './errors.js'

/** One tensor: row-major float32 values of `shape`. */
export interface SafeTensor {
  readonly shape: readonly number[]
  readonly data: Float32Array
}

/** A decoded file: tensors in file order and the string metadata. */
export interface SafetensorsFile {
  readonly tensors: Map<string, SafeTensor>
  readonly metadata: Record<string, string>
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 }
const MAX_HEADER = 100 * 2 ** 20

/** Encodes `tensors` (in the map's order) and `metadata` as a safetensors file. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata }
  let offset = 0
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1)
    if (n !== t.data.length)
      throw new RangeError(`safetensors: '${name}' has ${t.data.length} values, shape needs ${n}`)
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] }
    offset += 4 * n
  }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8)
  const head = new TextEncoder().encode(json)
  const out = new Uint8Array(8 + head.length + offset)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(head.length), true)
  out.set(head, 8)
  let at = 8 + head.length
  for (const t of tensors.values()) {
    for (const v of t.data) {
      view.setFloat32(at, v, true)
      at += 4
    }
  }
  return out
}

/** IEEE half (binary16) bits to a number. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 31) return frac ? NaN : sign * Infinity
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

function readValues(view: DataView, at: number, n: number, dtype: string): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    if (dtype === 'F32') out[i] = view.getFloat32(at + 4 * i, true)
    else if (dtype === 'F64') out[i] = view.getFloat64(at + 8 * i, true)
    else if (dtype === 'F16') out[i] = halfToNumber(view.getUint16(at + 2 * i, true))
    else {
      const bits = new DataView(new ArrayBuffer(4))
      bits.setUint32(0, view.getUint16(at + 2 * i, true) << 16)
      out[i] = bits.getFloat32(0)
    }
  }
  return out
}

const isShape = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((d) => Number.isInteger(d) && (d as number) >= 0)

/** Decodes a safetensors file; `where` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, where: string): SafetensorsFile {
  const bad = (message: string) => new InputError('safetensors/invalid', message, where)
  if (bytes.length < 8) throw bad(`not a safetensors file (${bytes.length} bytes)`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = Number(view.getBigUint64(0, true))
  if (n > MAX_HEADER || 8 + n > bytes.length)
    throw bad(`header length ${n} does not fit the file's ${bytes.length} bytes`)
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)))
  } catch (err) {
    throw bad(`header is not JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw bad('header is not a JSON object')
  const data = 8 + n
  const size = bytes.length - data
  const tensors = new Map<string, SafeTensor>()
  let metadata: Record<string, string> = {}
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      const ok =
        typeof entry === 'object' &&
        entry !== null &&
        Object.values(entry).every((v) => typeof v === 'string')
      if (!ok) throw bad('__metadata__ must map strings to strings')
      metadata = entry as Record<string, string>
      continue
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown }
    const dtype = typeof e.dtype === 'string' ? e.dtype : ''
    const width = BYTES[dtype]
    if (!width)
      throw bad(`tensor '${name}': dtype ${JSON.stringify(e.dtype)} (valid: F32, F16, BF16, F64)`)
    if (!isShape(e.shape)) throw bad(`tensor '${name}': shape must be a list of sizes`)
    const offsets = e.data_offsets
    if (!isShape(offsets) || offsets.length !== 2)
      throw bad(`tensor '${name}': data_offsets must be [begin, end]`)
    const [begin = 0, end = 0] = offsets
    const count = e.shape.reduce((a, b) => a * b, 1)
    if (end - begin !== count * width || end > size)
      throw bad(
        `tensor '${name}': bytes [${begin}, ${end}) do not hold shape [${e.shape.join(', ')}] of ${dtype} within the ${size} data bytes`,
      )
    tensors.set(name, { shape: e.shape, data: readValues(view, data + begin, count, dtype) })
  }
  return { tensors, metadata }
}
