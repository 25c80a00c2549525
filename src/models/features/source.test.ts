import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { checkShardPath, openModelFiles } from './source.js'

let root = ''
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'step-source-'))
  await mkdir(path.join(root, 'a', 'b', 'c'), { recursive: true })
  await writeFile(path.join(root, 'a', 'b', 'c', 'model.json'), '{}')
  await writeFile(path.join(root, 'a', 'b', 'c', 'group1-shard1of1.bin'), new Uint8Array([1, 2]))
  await writeFile(path.join(root, 'secret.bin'), new Uint8Array([9, 9, 9]))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('weight shard paths named by model.json', () => {
  it('reads a shard beside model.json', async () => {
    const files = await openModelFiles(path.join(root, 'a', 'b', 'c'), 'vgg16:x')
    expect(new Uint8Array(await files.readShard('group1-shard1of1.bin'))).toEqual(
      new Uint8Array([1, 2]),
    )
  })

  it("refuses '..' segments, absolute paths and schemes, naming model.json and the shard", async () => {
    const files = await openModelFiles(path.join(root, 'a', 'b', 'c'), 'vgg16:x')
    const model = path.join(root, 'a', 'b', 'c', 'model.json')
    await expect(files.readShard('../../../secret.bin')).rejects.toMatchObject({
      code: 'features/shard-path',
      where: 'vgg16:x',
      message: `vgg16:x: ${model} names weight shard '../../../secret.bin', which has a '..' segment; shard paths must be relative names beside model.json (e.g. group1-shard1of4.bin)`,
    })
    await expect(files.readShard(path.join(root, 'secret.bin'))).rejects.toThrow(
      'which is absolute',
    )
    await expect(files.readShard('file:///etc/passwd')).rejects.toThrow('which carries a scheme')
    await expect(files.readShard('x\\..\\..\\secret.bin')).rejects.toThrow("has a '..' segment")
  })

  it('a model.json fetched by URL cannot send shard requests to another origin', async () => {
    const fetched: string[] = []
    vi.stubGlobal('fetch', (input: string) => {
      fetched.push(input)
      return Promise.resolve(new Response('{}'))
    })
    const files = await openModelFiles('https://app.example/m/model.json', 'vgg16:u')
    for (const rel of ['https://evil.example/w.bin', '//evil.example/w.bin', '../../w.bin'])
      await expect(files.readShard(rel)).rejects.toMatchObject({ code: 'features/shard-path' })
    await files.readShard('group1-shard1of1.bin')
    expect(fetched).toEqual([
      'https://app.example/m/model.json',
      'https://app.example/m/group1-shard1of1.bin',
    ])
  })

  it('plain names and sub-folders pass', () => {
    expect(checkShardPath('g1-shard1of2.bin', 'm.json', 'w')).toBe('g1-shard1of2.bin')
    expect(checkShardPath('w/g1.bin', 'm.json', 'w')).toBe('w/g1.bin')
    expect(() => checkShardPath('C:\\w.bin', 'm.json', 'w')).toThrow('carries a scheme')
  })
})
