/**
 * FNV-1a 64-bit hashing in pure JS (no node:crypto, so it also runs in browsers): fingerprints of
 * feature extractors, used as cache keys.
 */

const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK_64 = 0xffffffffffffffffn

/** FNV-1a 64 of the UTF-8 bytes of `text`, as 16 lower-case hex digits. */
export function fnv1a64(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let h = FNV_OFFSET
  for (const b of bytes) {
    h ^= BigInt(b)
    h = (h * FNV_PRIME) & MASK_64
  }
  return h.toString(16).padStart(16, '0')
}

/** `prefix-<fnv1a64 of the JSON of parts>`: a fingerprint of a network's identity. */
export function fingerprintOf(prefix: string, parts: Record<string, unknown>): string {
  return `${prefix}-${fnv1a64(JSON.stringify(parts))}`
}
