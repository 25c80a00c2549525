/** Reads the tEXt chunks of a PNG (where StEP graph keeps a written image's provenance). */
import { decode } from 'fast-png'
import { InputError } from '../errors.js'
import { sniffFormat } from './header.js'

/** The PNG's text chunks by keyword; InputError naming `where` when the bytes are not a PNG. */
export function readPngText(bytes: Uint8Array, where: string): Record<string, string> {
  if (sniffFormat(bytes) !== 'png') throw new InputError('image/not-png', 'not a PNG file', where)
  try {
    return { ...decode(bytes).text }
  } catch (err) {
    throw new InputError('image/corrupt', `cannot read the PNG (${String(err)})`, where)
  }
}
