/**
 * Preset files as they arrive (a .json file, a dropped file, the graph a provenance PNG carries):
 * size-checked and parsed into plain JSON data with errors that name the file. Parsing is
 * JSON.parse only — a preset is data, never code (docs/decisions/0011-untrusted-presets.md).
 */
import { errorMessage, InputError } from '../core/errors.js'
import { sniffFormat } from '../core/image/header.js'
import { readPngText } from '../core/image/png-text.js'
import { DEFAULT_IMAGE_LIMITS } from '../core/image/types.js'
import { MAX_PRESET_DEPTH } from './preset.js'

/** Largest preset text accepted (characters); 2000 nodes of litegraph JSON fit well inside. */
export const MAX_PRESET_CHARS = 8 * 2 ** 20

/** PNG text keywords of the provenance. */
export const PROVENANCE_KEYS = {
  preset: 'step-preset',
  seeds: 'step-seeds',
  base: 'step-base',
  /** The same graph (litegraph's serialisation) under the key node-graph tools look for. */
  workflow: 'workflow',
} as const

/**
 * `base` as a path relative to `from` with '/' separators ('.' for the same folder): what a PNG
 * written in `from` records, so it names no absolute path. Both are paths of one file system.
 */
export function relativeBase(from: string, base: string): string {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '').split('/')
  const abs = (p: string) => p.startsWith('/') || /^[A-Za-z]:/.test(p)
  const cwd = typeof process !== 'undefined' && process.cwd ? process.cwd() : '/'
  const full = (p: string) => (abs(p.replace(/\\/g, '/')) ? norm(p) : [...norm(cwd), ...norm(p)])
  const clean = (parts: string[]) =>
    parts.reduce<string[]>((acc, x) => {
      if (x === '' || x === '.') return acc
      if (x === '..') acc.pop()
      else acc.push(x)
      return acc
    }, [])
  const a = clean(full(from))
  const b = clean(full(base))
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const up = a.slice(i).map(() => '..')
  return [...up, ...b.slice(i)].join('/') || '.'
}

/** The JSON value of preset text, or InputError naming `where` (too large, not JSON). */
export function parsePresetText(text: string, where: string): unknown {
  if (text.length > MAX_PRESET_CHARS)
    throw new InputError(
      'preset/too-large',
      `preset text is ${text.length} characters, the limit is ${MAX_PRESET_CHARS}`,
      where,
    )
  checkTextDepth(text, where)
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new InputError('preset/json', `not JSON (${errorMessage(err)})`, where)
  }
}

/**
 * Refuses JSON text nested deeper than MAX_PRESET_DEPTH with one linear scan, before JSON.parse
 * spends seconds building (and loadPreset then refuses) megabytes of nested arrays.
 */
function checkTextDepth(text: string, where: string): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_PRESET_DEPTH)
        throw new InputError(
          'preset/too-deep',
          `nested more than ${MAX_PRESET_DEPTH} levels deep (character ${i})`,
          where,
        )
    } else if (c === 0x5d || c === 0x7d) depth--
  }
}

/** A preset file's JSON: a .json file, or a PNG's provenance (with the base folder it names). */
export function presetFromBytes(
  bytes: Uint8Array,
  where: string,
): { readonly json: unknown; readonly base?: string } {
  if (sniffFormat(bytes) === 'png') {
    if (bytes.length > DEFAULT_IMAGE_LIMITS.maxBytes)
      throw new InputError(
        'image/too-large',
        `file is ${bytes.length} bytes, the limit is ${DEFAULT_IMAGE_LIMITS.maxBytes}`,
        where,
      )
    const text = readPngText(bytes, where)
    const preset = text[PROVENANCE_KEYS.preset] ?? text[PROVENANCE_KEYS.workflow]
    if (preset === undefined)
      throw new InputError(
        'preset/no-provenance',
        'this PNG carries no StEP graph (no step-preset text)',
        where,
      )
    const base = text[PROVENANCE_KEYS.base]
    return { json: parsePresetText(preset, where), ...(base ? { base } : {}) }
  }
  if (bytes.length > MAX_PRESET_CHARS * 3)
    throw new InputError(
      'preset/too-large',
      `file is ${bytes.length} bytes, the limit is ${MAX_PRESET_CHARS} characters`,
      where,
    )
  return { json: parsePresetText(new TextDecoder().decode(bytes), where) }
}
