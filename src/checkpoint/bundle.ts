/**
 * A checkpoint as ONE file (what the editor exports and imports, and keeps in IndexedDB): JSON
 * { format: 'step-checkpoint-bundle', version: 1, path, manifest, files: { name: base64 } }.
 * The manifest is validated and every file it lists must be present with its size and SHA-256.
 */
import { z } from 'zod'
import { InputError } from '../core/errors.js'
import { parseManifest, verifyWeightsFile, type CheckpointManifest } from './manifest.js'

/** A checkpoint's manifest and weight files. */
export interface CheckpointFiles {
  readonly path: string
  readonly manifest: CheckpointManifest
  readonly files: ReadonlyMap<string, ArrayBuffer>
}

const bundleSchema = z.object({
  format: z.literal('step-checkpoint-bundle'),
  version: z.literal(1),
  path: z.string().min(1).max(1024),
  manifest: z.unknown(),
  files: z.record(z.string().regex(/^[\w.-]+\.bin$/), z.string()),
})

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf)
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

function fromBase64(text: string): ArrayBuffer {
  const s = atob(text)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out.buffer
}

/** The bundle text of a checkpoint. */
export function encodeBundle(c: CheckpointFiles): string {
  const files: Record<string, string> = {}
  for (const [name, data] of c.files) files[name] = toBase64(data)
  return JSON.stringify({
    format: 'step-checkpoint-bundle',
    version: 1,
    path: c.path,
    manifest: c.manifest,
    files,
  })
}

/**
 * Parses a bundle and verifies its files; InputError naming `where` and the field or file when it
 * is not a valid one.
 */
export async function decodeBundle(text: string, where: string): Promise<CheckpointFiles> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new InputError('checkpoint/bundle', 'not a StEP checkpoint file (not JSON)', where)
  }
  const r = bundleSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new InputError(
      'checkpoint/bundle',
      `not a StEP checkpoint file: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
      where,
    )
  }
  const manifest = parseManifest(JSON.stringify(r.data.manifest), `${where} (manifest)`)
  const files = new Map<string, ArrayBuffer>()
  for (const [group, w] of Object.entries(manifest.weights)) {
    const text64 = r.data.files[w.file]
    if (text64 === undefined)
      throw new InputError(
        'checkpoint/bundle',
        `weights of '${group}' (${w.file}) are missing`,
        where,
      )
    let data: ArrayBuffer
    try {
      data = fromBase64(text64)
    } catch {
      throw new InputError('checkpoint/bundle', `${w.file} is not valid base64`, where)
    }
    await verifyWeightsFile(w, data, where)
    files.set(w.file, data)
  }
  return { path: r.data.path, manifest, files }
}
