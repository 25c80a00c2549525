import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError, type StepError } from '../../core/errors.js'
import { splitHorizontal } from '../../core/image/compose.js'
import { decodeImage } from '../../core/image/decode.js'
import type { RgbImage } from '../../core/image/types.js'
import type { SynthDatasetManifest, SynthRestyleManifest } from './manifest.js'
import { planSynthDataset } from './plan.js'
import { renderContent, renderPair, renderStyled } from './render.js'
import { sampleScene } from './scene.js'
import { STYLE_CLUSTER_COUNT, withCluster } from './style.js'
import { writeSynthDataset } from './write.node.js'

const root = await mkdtemp(join(tmpdir(), 'step-synth-test-'))
let n = 0
const fresh = (): string => join(root, `out-${n++}`)
afterAll(() => rm(root, { recursive: true, force: true }))

async function readPair(file: string): Promise<{ a: RgbImage; b: RgbImage }> {
  const { left, right } = splitHorizontal(decodeImage(await readFile(file), { where: file }))
  return { a: left, b: right }
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown
}

describe('writeSynthDataset', () => {
  it('writes count A|B PNGs (2*size x size) and styles.json describing every sample', async () => {
    const out = join(fresh(), 'nested')
    const progress: [number, number][] = []
    const manifest = await writeSynthDataset({
      out,
      count: 5,
      size: 32,
      seed: 4,
      onProgress: (done, total) => progress.push([done, total]),
    })
    const files = (await readdir(out)).sort()
    expect(files).toEqual([
      '00000.png',
      '00001.png',
      '00002.png',
      '00003.png',
      '00004.png',
      'styles.json',
    ])
    expect(progress).toEqual([1, 2, 3, 4, 5].map((d) => [d, 5]))
    const json = (await readJson(join(out, 'styles.json'))) as SynthDatasetManifest
    expect(json).toEqual(JSON.parse(JSON.stringify(manifest)))
    expect(json).toMatchObject({ format: 'step-synth', version: 1, seed: 4, size: 32, count: 5 })
    expect(json.clusters).toBe(STYLE_CLUSTER_COUNT)
    const plan = planSynthDataset(5, 4)
    for (const [i, s] of json.samples.entries()) {
      const p = plan[i]
      if (!p) throw new Error('plan too short')
      expect(s).toMatchObject({ name: p.name, sceneSeed: p.sceneSeed, cluster: p.style.cluster })
      expect(s.style).not.toHaveProperty('cluster')
      expect(withCluster(s.style)).toEqual(p.style)
      const img = decodeImage(await readFile(join(out, s.name)))
      expect([img.width, img.height]).toEqual([64, 32])
      const { a, b } = await readPair(join(out, s.name))
      const want = renderPair(sampleScene(s.sceneSeed), s.style, 32)
      expect(same(a.data, want.a.data)).toBe(true)
      expect(same(b.data, want.b.data)).toBe(true)
    }
  })

  it('is byte-identical for the same arguments', async () => {
    const [x, y] = [fresh(), fresh()]
    await writeSynthDataset({ out: x, count: 4, size: 48, seed: 99 })
    await writeSynthDataset({ out: y, count: 4, size: 48, seed: 99 })
    for (const f of await readdir(x)) {
      expect(same(await readFile(join(x, f)), await readFile(join(y, f)))).toBe(true)
    }
    const z = fresh()
    await writeSynthDataset({ out: z, count: 4, size: 48, seed: 100 })
    expect(same(await readFile(join(x, '00000.png')), await readFile(join(z, '00000.png')))).toBe(
      false,
    )
  })

  it('refuses a non-empty folder without its styles.json and leaves it untouched', async () => {
    const out = fresh()
    await writeSynthDataset({ out, count: 1, size: 16, seed: 1 }) // creates the folder
    await rm(join(out, 'styles.json'))
    await writeFile(join(out, 'holiday.jpg'), 'precious')
    const err = await writeSynthDataset({ out, count: 2, size: 16, seed: 1 }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).code).toBe('output/not-empty')
    expect((err as InputError).message).toContain(out)
    expect(await readFile(join(out, 'holiday.jpg'), 'utf8')).toBe('precious')
    await writeFile(join(out, 'styles.json'), JSON.stringify({ format: 'someone-else' }))
    await expect(writeSynthDataset({ out, count: 2, size: 16, seed: 1 })).rejects.toThrow(
      /its styles.json was not written by this command/,
    )
    expect((await readdir(out)).sort()).toEqual(['00000.png', 'holiday.jpg', 'styles.json'])
  })

  it('rewrites its own folder, dropping samples of the previous run that are gone', async () => {
    const out = fresh()
    await writeSynthDataset({ out, count: 4, size: 16, seed: 1 })
    await writeFile(join(out, 'notes.txt'), 'mine')
    await writeSynthDataset({ out, count: 2, size: 16, seed: 2 })
    expect((await readdir(out)).sort()).toEqual([
      '00000.png',
      '00001.png',
      'notes.txt',
      'styles.json',
    ])
    expect(((await readJson(join(out, 'styles.json'))) as SynthDatasetManifest).seed).toBe(2)
  })

  it('validates its arguments, naming the argument and the value', async () => {
    const out = fresh()
    const bad = [
      [{ count: 0 }, /count.*0/],
      [{ count: 100_001 }, /count.*100001/],
      [{ count: 2.5 }, /count.*2\.5/],
      [{ size: 15 }, /size.*15/],
      [{ size: 1025 }, /size.*1025/],
      [{ seed: -1 }, /seed.*-1/],
      [{ seed: 2 ** 32 }, /seed.*4294967296/],
    ] as const
    for (const [patch, message] of bad) {
      await expect(
        writeSynthDataset({ out, count: 2, size: 16, seed: 1, ...patch }),
      ).rejects.toThrow(message)
    }
    await expect(readdir(out)).rejects.toThrow(/ENOENT/)
  })
})

describe('writeSynthDataset with restyleOf', () => {
  it('renders source scene i in source style j: B equals renderStyled(scene_i, style_j)', async () => {
    const src = fresh()
    const out = fresh()
    await writeSynthDataset({ out: src, count: 6, size: 32, seed: 5 })
    const source = (await readJson(join(src, 'styles.json'))) as SynthDatasetManifest
    const manifest = await writeSynthDataset({ out, count: 8, size: 40, seed: 3, restyleOf: src })
    const json = (await readJson(join(out, 'styles.json'))) as SynthRestyleManifest
    expect(json).toEqual(JSON.parse(JSON.stringify(manifest)))
    expect(json).toMatchObject({ format: 'step-synth-restyle', version: 1, seed: 3, size: 40 })
    expect(json).toMatchObject({ count: 8, clusters: STYLE_CLUSTER_COUNT, sourceDir: src })
    expect(json.samples).toHaveLength(8)
    for (const s of json.samples) {
      const content = source.samples.find((x) => x.name === s.content)
      const style = source.samples.find((x) => x.name === s.style)
      if (!content || !style) throw new Error(`unknown source names ${s.content} ${s.style}`)
      expect(s.content).not.toBe(s.style)
      expect(s.sceneSeed).toBe(content.sceneSeed)
      expect(s.styleParams).toEqual(style.style)
      expect(s.cluster).toBe(style.cluster)
      const scene = sampleScene(content.sceneSeed)
      const { a, b } = await readPair(join(out, s.name))
      expect(same(a.data, renderContent(scene, 40).data)).toBe(true)
      expect(same(b.data, renderStyled(scene, style.style, 40).data)).toBe(true)
    }
  })

  it('reports a broken source styles.json naming the file and the field', async () => {
    const src = fresh()
    await writeSynthDataset({ out: src, count: 3, size: 16, seed: 5 })
    const file = join(src, 'styles.json')
    const good = (await readJson(file)) as SynthDatasetManifest
    const attempt = async (json: unknown): Promise<StepError> => {
      await writeFile(file, JSON.stringify(json))
      const err = await writeSynthDataset({
        out: fresh(),
        count: 2,
        size: 16,
        seed: 1,
        restyleOf: src,
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(InputError)
      return err as StepError
    }
    const samples = good.samples.map((s) => ({ ...s, style: { ...s.style } }))
    const hue = await attempt({
      ...good,
      samples: samples.map((s, i) => (i === 1 ? { ...s, style: { ...s.style, hue: 'red' } } : s)),
    })
    expect(hue.where).toBe(file)
    expect(hue.message).toContain('samples[1].style.hue')
    const cluster = await attempt({
      ...good,
      samples: samples.map((s, i) => (i === 2 ? { ...s, cluster: (s.cluster + 1) % 12 } : s)),
    })
    expect(cluster.message).toContain('samples[2].cluster')
    expect((await attempt({ ...good, format: 'step-synth-restyle' })).message).toContain(
      'field format',
    )
    expect((await attempt({ ...good, count: 7 })).message).toContain('field count')
    expect((await attempt({ ...good, samples: samples.slice(0, 1), count: 1 })).message).toContain(
      'field samples',
    )
    await writeFile(file, '{ not json')
    await expect(
      writeSynthDataset({ out: fresh(), count: 2, size: 16, seed: 1, restyleOf: src }),
    ).rejects.toThrow(/not valid JSON/)
    await expect(
      writeSynthDataset({ out: fresh(), count: 2, size: 16, seed: 1, restyleOf: fresh() }),
    ).rejects.toThrow(/styles\.json: not found/)
    await expect(
      writeSynthDataset({ out: src, count: 2, size: 16, seed: 1, restyleOf: src }),
    ).rejects.toThrow(/out/)
  })
})
