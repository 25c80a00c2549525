import * as tf from '@tensorflow/tfjs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { InputError } from '../core/errors.js'
import { joinHorizontal } from '../core/image/compose.js'
import { encodePng } from '../core/image/encode.js'
import { createRgbImage, type RgbImage } from '../core/image/types.js'
import { streamBatches } from './batches.js'
import { folderStore } from './folder-store.node.js'
import { fileStore } from './browser-store.js'
import { openPairedDataset } from './paired.js'

/** A 24x24 image whose red channel encodes `id` and green a horizontal ramp (flips are visible). */
function tile(id: number, blue: number): RgbImage {
  const img = createRgbImage(24, 24)
  for (let y = 0; y < 24; y++)
    for (let x = 0; x < 24; x++) img.data.set([id * 10, x * 10, blue], (y * 24 + x) * 3)
  return img
}

let root = ''
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'step-paired-'))
  await mkdir(join(root, 'ab'))
  await mkdir(join(root, 'split', 'A'), { recursive: true })
  await mkdir(join(root, 'split', 'B'), { recursive: true })
  for (let i = 0; i < 20; i++) {
    const name = `${String(i).padStart(3, '0')}.png`
    await writeFile(join(root, 'ab', name), encodePng(joinHorizontal(tile(i, 0), tile(i, 200))))
    await writeFile(join(root, 'split', 'A', name), encodePng(tile(i, 0)))
    if (i !== 5) await writeFile(join(root, 'split', 'B', name), encodePng(tile(i, 200)))
  }
  await writeFile(join(root, 'ab', 'notes.txt'), 'not an image')
  await tf.setBackend('cpu')
})

describe('paired datasets', () => {
  it('reads side-by-side A|B images in either direction', async () => {
    const ab = await openPairedDataset(folderStore(join(root, 'ab')))
    expect(ab.layout).toBe('side-by-side')
    expect(ab.names).toHaveLength(20)
    const pair = await ab.load('003.png')
    expect([pair.input.data[2], pair.output.data[2]]).toEqual([0, 200])
    const ba = await openPairedDataset(folderStore(join(root, 'ab')), { direction: 'BtoA' })
    expect((await ba.load('003.png')).input.data[2]).toBe(200)
  })

  it('matches A/ and B/ by name and reports files without a partner', async () => {
    const ds = await openPairedDataset(folderStore(join(root, 'split')))
    expect(ds.layout).toBe('folders')
    expect(ds.names).toHaveLength(19)
    expect(ds.names).not.toContain('005.png')
    expect(ds.warnings).toEqual([
      '1 file(s) in A/ or B/ have no partner with the same name and are ignored',
    ])
  })

  it('splits by a seeded per-name rule that is stable as files are added', async () => {
    const ds = await openPairedDataset(folderStore(join(root, 'ab')), {
      valFraction: 0.3,
      splitSeed: 4,
    })
    const val = ds.split('val')
    const train = ds.split('train')
    expect(val.length + train.length).toBe(20)
    expect(val.length).toBeGreaterThan(1)
    expect(val.some((n) => train.includes(n))).toBe(false)
    const again = await openPairedDataset(folderStore(join(root, 'ab')), {
      valFraction: 0.3,
      splitSeed: 4,
    })
    expect(again.split('val')).toEqual(val)
    const other = await openPairedDataset(folderStore(join(root, 'ab')), {
      valFraction: 0.3,
      splitSeed: 5,
    })
    expect(other.split('val')).not.toEqual(val)
  })

  it('streams seeded batches with aligned crops and flips', async () => {
    const ds = await openPairedDataset(folderStore(join(root, 'ab')), { valFraction: 0 })
    const collect = async (seed: number, batchSize: number) => {
      const out: { names: string[]; input: number[]; output: number[] }[] = []
      for await (const b of streamBatches(ds, { batchSize, size: 16, seed })) {
        expect(b.input.shape).toEqual([b.names.length, 16, 16, 3])
        out.push({
          names: [...b.names],
          input: Array.from(await b.input.data()),
          output: Array.from(await b.output.data()),
        })
        b.dispose()
      }
      return out
    }
    const before = tf.memory().numTensors
    const a = await collect(1, 8)
    expect(tf.memory().numTensors).toBe(before)
    expect(a.map((b) => b.names.length)).toEqual([8, 8, 4])
    expect(await collect(1, 8)).toEqual(a)
    expect((await collect(2, 8))[0]?.names).not.toEqual(a[0]?.names)
    // the same pair gets the same crop whatever the batch size
    const byName = (bs: typeof a, name: string) => {
      for (const b of bs) {
        const i = b.names.indexOf(name)
        if (i >= 0) return b.input.slice(i * 768, (i + 1) * 768)
      }
      return []
    }
    const small = await collect(1, 3)
    expect(byName(small, '007.png')).toEqual(byName(a, '007.png'))
    // input and output share crop and flip: their green ramps (x position) agree pixel by pixel
    const first = a[0]!
    for (let p = 1; p < 16 * 16 * 3; p += 3)
      expect(first.input[p]).toBeCloseTo(first.output[p] ?? NaN, 5)
  })

  it('gives one-line errors naming the folder or file', async () => {
    const missing = join(root, 'nope')
    await expect(openPairedDataset(folderStore(missing))).rejects.toThrow(
      `${missing}: folder does not exist`,
    )
    await mkdir(join(root, 'empty'))
    await expect(openPairedDataset(folderStore(join(root, 'empty')))).rejects.toThrow(
      `${join(root, 'empty')}: no PNG/JPEG images found (expected side-by-side A|B images, or A/ and B/ folders)`,
    )
    await mkdir(join(root, 'bad'))
    await writeFile(join(root, 'bad', 'x.png'), encodePng(tile(1, 1)).subarray(0, 60))
    const ds = await openPairedDataset(folderStore(join(root, 'bad')))
    const err = await ds.load('x.png').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as Error).message).toMatch(
      new RegExp(`^${join(root, 'bad', 'x.png')}: truncated PNG`),
    )
  })

  it('works on browser Files through the same interface', async () => {
    const files = new Map<string, Blob>()
    files.set('A/1.png', new Blob([encodePng(tile(1, 0)).slice()]))
    files.set('B/1.png', new Blob([encodePng(tile(1, 200)).slice()]))
    const ds = await openPairedDataset(fileStore(files))
    expect(ds.layout).toBe('folders')
    expect((await ds.load('1.png')).output.data[2]).toBe(200)
  })
})
