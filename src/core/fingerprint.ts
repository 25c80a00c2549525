/**
 * Content fingerprints for cache keys (datasets, extractors, neighbour lists): two independent
 * 32-bit FNV-1a lanes over the same bytes, printed as 16 hex digits. Not cryptographic; pure JS so
 * it runs in browsers too.
 */

/** An incremental fingerprint. */
export class Fingerprint {
  private a = 0x811c9dc5
  private b = 0x050c5d1f

  /** Mixes bytes in. */
  bytes(data: Uint8Array): this {
    let a = this.a
    let b = this.b
    for (let i = 0; i < data.length; i++) {
      const v = data[i] ?? 0
      a = Math.imul(a ^ v, 0x01000193)
      b = Math.imul(b ^ v, 0x01000193) ^ (b >>> 15)
    }
    this.a = a >>> 0
    this.b = b >>> 0
    return this
  }

  /** Mixes a string in (UTF-8), followed by a separator so ('ab','c') differs from ('a','bc'). */
  text(s: string): this {
    return this.bytes(new TextEncoder().encode(`${s}\u0000`))
  }

  /** 16 hex digits. */
  hex(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0')
  }
}

/** Fingerprint of a list of strings. */
export function fingerprintOf(...parts: (string | number)[]): string {
  const f = new Fingerprint()
  for (const p of parts) f.text(String(p))
  return f.hex()
}
