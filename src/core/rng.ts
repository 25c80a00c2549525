/**
 * Seeded randomness. Every random draw in the project (data order, crops, weight init, noise,
 * synthetic data) comes from an `Rng` made from an explicit 32-bit seed, so a run is repeatable
 * and the seed actually used can be recorded. Generator: sfc32 seeded through splitmix32.
 */

/** A deterministic stream of random numbers. */
export interface Rng {
  /** The seed this stream was created from. */
  readonly seed: number
  /** Uniform float in [0, 1). */
  next: () => number
  /** Uniform float in [lo, hi). */
  uniform: (lo: number, hi: number) => number
  /** Uniform integer in [0, n). */
  int: (n: number) => number
  /** Standard normal draw (Box–Muller). */
  normal: () => number
  /** A uniformly chosen element of a non-empty array. */
  pick: <T>(items: readonly T[]) => T
  /** A new shuffled copy of `items` (Fisher–Yates). */
  shuffled: <T>(items: readonly T[]) => T[]
  /** An independent child stream, derived from this seed and a label (does not advance this one). */
  fork: (label: string | number) => Rng
}

const MAX_SEED = 0xffffffff

/** Checks that `seed` is an integer in [0, 2^32 - 1]. */
export function assertSeed(seed: number, name = 'seed'): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`${name}: expected an integer in [0, ${MAX_SEED}], got ${seed}`)
  }
  return seed
}

/**
 * The seed to use: `seed` itself when given, otherwise a fresh one from the platform's secure
 * random source. Callers record the returned value so "random" runs can be repeated.
 */
export function resolveSeed(seed?: number): number {
  if (seed !== undefined) return assertSeed(seed)
  const buf = new Uint32Array(1)
  globalThis.crypto.getRandomValues(buf)
  return buf[0] ?? 0
}

/** FNV-1a over the UTF-16 code units of a string, mixed into `h`. */
function mixString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** splitmix32 finaliser: a well-spread 32-bit hash of a 32-bit value. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

/** A seed derived deterministically from a parent seed and labels (e.g. 'crop', epoch, index). */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = splitmix32(assertSeed(seed))
  for (const label of labels) {
    h = mixString(h ^ 0x2f, typeof label === 'number' ? `#${label}` : label)
    h = splitmix32(h)
  }
  return h
}

/** A 32-bit hash of a string, stable across platforms (for seeded per-name decisions). */
export function hashString(s: string): number {
  return splitmix32(mixString(0x811c9dc5, s))
}

/** Creates the seeded stream for `seed`. */
export function createRng(seed: number): Rng {
  assertSeed(seed)
  let s = seed
  const sm = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    return splitmix32(s)
  }
  let a = sm()
  let b = sm()
  let c = sm()
  let d = sm()
  let spare: number | null = null

  const nextU32 = (): number => {
    // sfc32
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  // Discard the first outputs, as sfc32's authors recommend.
  for (let i = 0; i < 12; i++) nextU32()

  const rng: Rng = {
    seed,
    next: () => nextU32() / 4294967296,
    uniform: (lo, hi) => lo + (hi - lo) * rng.next(),
    int: (n) => {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n): n must be > 0, got ${n}`)
      return Math.floor(rng.next() * n)
    },
    normal: () => {
      if (spare !== null) {
        const v = spare
        spare = null
        return v
      }
      let u = 0
      while (u === 0) u = rng.next()
      const v = rng.next()
      const r = Math.sqrt(-2 * Math.log(u))
      spare = r * Math.sin(2 * Math.PI * v)
      return r * Math.cos(2 * Math.PI * v)
    },
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick: empty array')
      return items[rng.int(items.length)] as T
    },
    shuffled: <T>(items: readonly T[]): T[] => {
      const out = items.slice()
      for (let i = out.length - 1; i > 0; i--) {
        const j = rng.int(i + 1)
        const tmp = out[i] as T
        out[i] = out[j] as T
        out[j] = tmp
      }
      return out
    },
    fork: (label) => createRng(deriveSeed(seed, label)),
  }
  return rng
}
