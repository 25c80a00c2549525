/**
 * Where an image or model source points: a file on this machine (under Node only: a plain path,
 * a `file:` URL or its text) or something to fetch (http(s), blob: and data: URLs, and every
 * source in a page or worker). One rule for images.ts and model.ts.
 */

const FETCHED = /^(https?|blob|data):/i
const FILE = /^file:/i

/** Whether this runs under Node (where sources may be paths). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && Boolean(process.versions?.node)
}

/** The file path `source` names under Node, or null when it is to be fetched. */
export async function localPath(source: string | URL, node = isNode()): Promise<string | null> {
  if (!node) return null
  const text = source.toString()
  if (source instanceof URL ? source.protocol !== 'file:' : FETCHED.test(text)) return null
  if (!FILE.test(text)) return text
  const { fileURLToPath } = await import('node:url')
  return fileURLToPath(text)
}
