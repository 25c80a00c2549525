import { describe, expect, it } from 'vitest'
import { joinHorizontal } from '../core/image/compose.js'
import { encodePng } from '../core/image/encode.js'
import { createRgbImage, type RgbImage } from '../core/image/types.js'
import { withDirection } from './orient.js'
import { openPairedDataset } from './paired.js'
import type { ImageStore } from './store.js'

function flat(v: number): RgbImage {
  const im = createRgbImage(8, 8)
  im.data.fill(v)
  return im
}

/** Side-by-side pairs: A is flat 10 * (i + 1), B flat 200 + i. */
const files = new Map(
  [0, 1, 2].map((i) => [`p${i}.png`, encodePng(joinHorizontal(flat(10 * (i + 1)), flat(200 + i)))]),
)
const store: ImageStore = {
  label: 'memory',
  list: () => Promise.resolve([...files.keys()].sort()),
  hasChild: () => Promise.resolve(false),
  child: () => {
    throw new Error('no children')
  },
  read: (name) => Promise.resolve(files.get(name) as Uint8Array),
  describe: (name) => `memory/${name}`,
}

describe('withDirection', () => {
  it('BtoA swaps input and output exactly as openPairedDataset does, with its own fingerprint', async () => {
    const ab = await openPairedDataset(store)
    const ba = await openPairedDataset(store, { direction: 'BtoA' })
    const turned = withDirection(ab, 'BtoA')
    expect(turned.direction).toBe('BtoA')
    expect(withDirection(ab, 'AtoB')).toBe(ab)
    for (const name of ab.names) {
      const want = await ba.load(name)
      const got = await turned.load(name)
      expect(got.input.data[0]).toBe(want.input.data[0])
      expect(got.output.data[0]).toBe(want.output.data[0])
      expect(got.input.data[0]).toBeGreaterThanOrEqual(200) // B is the input now
    }
    expect(turned.split('train')).toEqual(ba.split('train'))
    const fp = await turned.fingerprint('train')
    expect(fp).not.toBe(await ab.fingerprint('train'))
    expect(fp).toBe(await withDirection(ab, 'BtoA').fingerprint('train'))
  })
})
