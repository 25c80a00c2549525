/**
 * Paired datasets in the pix2pix format (edges2shoes & co): either one folder of side-by-side
 * `A|B` images, or `A/` and `B/` folders whose files match by name (extension ignored).
 * Direction AtoB or BtoA; a seeded, per-file train/val split; batches are decoded on demand
 * (never the whole set in memory) by `streamBatches` (batches.ts).
 */
import { InputError } from '../core/errors.js'
import { decodeImage } from '../core/image/decode.js'
import { splitHorizontal } from '../core/image/compose.js'
import type { RgbImage } from '../core/image/types.js'
import { Fingerprint } from '../core/fingerprint.js'
import { assertSeed, hashString } from '../core/rng.js'
import { stem, type ImageStore } from './store.js'

/** Which side is the input: AtoB maps the left/`A` image to the right/`B` one. */
export type Direction = 'AtoB' | 'BtoA'
/** A subset of the pairs. */
export type Split = 'train' | 'val' | 'all'

/** How the files are laid out. */
export type PairLayout = 'side-by-side' | 'folders'

/** One input/output pair, oriented by the dataset's direction. */
export interface ImagePair {
  readonly name: string
  /** The input-domain image (A after orientation). */
  readonly input: RgbImage
  /** The output-domain image (B after orientation), the one styles are taken from. */
  readonly output: RgbImage
}

/** Options for opening a paired dataset. */
export interface PairedOptions {
  readonly direction?: Direction
  /** Fraction of pairs held out for validation (0..0.9, default 0.1). */
  readonly valFraction?: number
  /** Seed of the split rule (default 0). */
  readonly splitSeed?: number
}

/** An opened paired dataset: names are listed, pixels are read on demand. */
export interface PairedDataset {
  readonly label: string
  readonly layout: PairLayout
  readonly direction: Direction
  /** All pair names, sorted. */
  readonly names: readonly string[]
  /** Problems that did not stop opening (e.g. files in A/ without a partner in B/). */
  readonly warnings: readonly string[]
  /** The names in a split. Membership depends only on (splitSeed, name), so adding files never moves others. */
  split(which: Split): string[]
  /** Decodes one pair. */
  load(name: string): Promise<ImagePair>
  /** Content fingerprint of a split (names, direction and file bytes): a cache key. */
  fingerprint(which: Split): Promise<string>
}

function checkFraction(v: number): number {
  if (!(v >= 0 && v <= 0.9))
    throw new RangeError(`valFraction: expected a number in [0, 0.9], got ${v}`)
  return v
}

/** Opens a pix2pix-format dataset from a store (see the module comment for layouts). */
export async function openPairedDataset(
  store: ImageStore,
  options: PairedOptions = {},
): Promise<PairedDataset> {
  const direction = options.direction ?? 'AtoB'
  if (direction !== 'AtoB' && direction !== 'BtoA') {
    throw new RangeError(`direction: expected 'AtoB' or 'BtoA', got '${String(direction)}'`)
  }
  const valFraction = checkFraction(options.valFraction ?? 0.1)
  const splitSeed = assertSeed(options.splitSeed ?? 0, 'splitSeed')
  const warnings: string[] = []
  const folders = (await store.hasChild('A')) && (await store.hasChild('B'))
  const layout: PairLayout = folders ? 'folders' : 'side-by-side'

  let names: string[]
  let readBytes: (name: string) => Promise<Uint8Array[]>
  let readPair: (name: string) => Promise<[RgbImage, RgbImage]>
  if (folders) {
    const a = store.child('A')
    const b = store.child('B')
    const bByStem = new Map((await b.list()).map((n) => [stem(n), n]))
    const aFiles = await a.list()
    const partner = new Map<string, string>()
    for (const n of aFiles) {
      const m = bByStem.get(stem(n))
      if (m) partner.set(n, m)
    }
    const unmatched = aFiles.length - partner.size + (bByStem.size - partner.size)
    if (unmatched > 0)
      warnings.push(
        `${unmatched} file(s) in A/ or B/ have no partner with the same name and are ignored`,
      )
    names = [...partner.keys()]
    readBytes = (name) => Promise.all([a.read(name), b.read(partner.get(name) ?? name)])
    readPair = async (name) => {
      const bName = partner.get(name)
      if (!bName) throw new InputError('data/unknown-pair', 'not in this dataset', a.describe(name))
      const [ab, bb] = await Promise.all([a.read(name), b.read(bName)])
      return [
        decodeImage(ab, { where: a.describe(name) }),
        decodeImage(bb, { where: b.describe(bName) }),
      ]
    }
  } else {
    names = await store.list()
    readBytes = async (name) => [await store.read(name)]
    readPair = async (name) => {
      const where = store.describe(name)
      const { left, right } = splitHorizontal(decodeImage(await store.read(name), { where }), where)
      return [left, right]
    }
  }
  if (names.length === 0) {
    throw new InputError(
      'data/empty',
      folders
        ? 'no matching PNG/JPEG pairs in A/ and B/'
        : 'no PNG/JPEG images found (expected side-by-side A|B images, or A/ and B/ folders)',
      store.label,
    )
  }
  const isVal = (name: string): boolean =>
    hashString(`${splitSeed}:${name}`) / 4294967296 < valFraction

  return {
    label: store.label,
    layout,
    direction,
    names,
    warnings,
    split: (which) =>
      which === 'all' ? names.slice() : names.filter((n) => isVal(n) === (which === 'val')),
    async load(name) {
      const [left, right] = await readPair(name)
      return direction === 'AtoB'
        ? { name, input: left, output: right }
        : { name, input: right, output: left }
    },
    async fingerprint(which) {
      const f = new Fingerprint().text(
        `${layout} ${direction} ${which} ${valFraction} ${splitSeed}`,
      )
      const members = which === 'all' ? names : names.filter((n) => isVal(n) === (which === 'val'))
      for (const name of members) {
        f.text(name)
        for (const bytes of await readBytes(name)) f.bytes(bytes)
      }
      return f.hex()
    },
  }
}
