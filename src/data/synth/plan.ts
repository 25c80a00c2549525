/**
 * Which scene and style each synthetic sample gets. Sample i depends only on (seed, i), so a
 * dataset of 64 samples is a prefix of the dataset of 128 with the same seed.
 */
import { invalidArgument } from '../../core/errors.js'
import { assertSeed, createRng, deriveSeed } from '../../core/rng.js'
import { sampleStyle, type SynthStyle } from './style.js'

/** One sample of a synthetic dataset. */
export interface SynthSample {
  readonly index: number
  /** File name, e.g. '00000.png'. */
  readonly name: string
  /** Seed of the scene (sampleScene). */
  readonly sceneSeed: number
  readonly style: SynthStyle
}

/** One sample of a restyle set: source scene `content` drawn in the style of source `style`. */
export interface RestyleSample {
  readonly index: number
  /** File name, e.g. '00000.png'. */
  readonly name: string
  /** Index into the source samples of the scene (A and B's geometry). */
  readonly content: number
  /** Index into the source samples of the style (never equal to `content`). */
  readonly style: number
  /** The scene seed of source sample `content`. */
  readonly sceneSeed: number
  /** The style of source sample `style`. */
  readonly styleParams: SynthStyle
}

/** The file name of sample `index`: five digits and '.png'. */
export function sampleName(index: number): string {
  return `${String(index).padStart(5, '0')}.png`
}

function checkCount(count: number, name = 'count'): void {
  if (!Number.isInteger(count) || count < 0) throw invalidArgument(name, count, 'an integer >= 0')
}

/** Sample `index` of the dataset with `seed`. */
export function planSynthSample(seed: number, index: number): SynthSample {
  return {
    index,
    name: sampleName(index),
    sceneSeed: deriveSeed(seed, 'scene', index),
    style: sampleStyle(createRng(deriveSeed(seed, 'style', index))),
  }
}

/** The first `count` samples of the synthetic dataset with `seed`. */
export function planSynthDataset(count: number, seed: number): SynthSample[] {
  checkCount(count)
  assertSeed(seed)
  return Array.from({ length: count }, (_, i) => planSynthSample(seed, i))
}

/**
 * `count` restyle samples over `source`: sample k takes the scene of source i and the style of
 * source j != i, both drawn from (seed, k) alone.
 */
export function planRestyle(
  source: readonly Pick<SynthSample, 'sceneSeed' | 'style'>[],
  count: number,
  seed: number,
): RestyleSample[] {
  checkCount(count)
  assertSeed(seed)
  const n = source.length
  if (n < 2) throw invalidArgument('source.length', n, 'at least 2 source samples')
  return Array.from({ length: count }, (_, index) => {
    const rng = createRng(deriveSeed(seed, 'restyle', index))
    const content = rng.int(n)
    const other = rng.int(n - 1)
    const style = other >= content ? other + 1 : other
    const c = source[content]
    const s = source[style]
    if (!c || !s) throw new RangeError(`planRestyle: index out of range`)
    return {
      index,
      name: sampleName(index),
      content,
      style,
      sceneSeed: c.sceneSeed,
      styleParams: s.style,
    }
  })
}
