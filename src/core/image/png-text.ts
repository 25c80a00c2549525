/**
 * Reads the tEXt chunks of a PNG (where StEP graph keeps a written image's provenance) by walking
 * the chunk list only: no pixels are decoded, so an untrusted PNG with absurd dimensions costs
 * nothing here. Keys are own properties of a null-prototype object ('__proto__' is just a key).
 */
import { InputError } from '../errors.js'
import { sniffFormat } from './header.js'

const latin1 = new TextDecoder('latin1')

/** The PNG's text chunks by keyword; InputError naming `where` when the bytes are not a PNG. */
export function readPngText(bytes: Uint8Array, where: string): Record<string, string> {
  if (sniffFormat(bytes) !== 'png') throw new InputError('image/not-png', 'not a PNG file', where)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = Object.create(null) as Record<string, string>
  let o = 8
  while (o + 8 <= bytes.length) {
    const length = view.getUint32(o)
    const type = latin1.decode(bytes.subarray(o + 4, o + 8))
    const end = o + 12 + length
    if (end > bytes.length)
      throw new InputError(
        'image/truncated',
        `truncated PNG: chunk '${type}' at byte ${o} needs ${end} bytes, the file has ${bytes.length}`,
        where,
      )
    if (type === 'IEND') return out
    if (type === 'tEXt') {
      const data = bytes.subarray(o + 8, o + 8 + length)
      const zero = data.indexOf(0)
      if (zero < 1 || zero > 79)
        throw new InputError(
          'image/corrupt',
          `corrupt PNG: tEXt chunk at byte ${o} has no keyword`,
          where,
        )
      const key = latin1.decode(data.subarray(0, zero))
      if (!(key in out)) out[key] = latin1.decode(data.subarray(zero + 1))
    }
    o = end
  }
  throw new InputError(
    'image/truncated',
    `truncated PNG: no IEND chunk in ${bytes.length} bytes`,
    where,
  )
}
