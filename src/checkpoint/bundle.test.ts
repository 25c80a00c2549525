import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeBundle, encodeBundle } from './bundle.js'
import { CheckpointShelf } from './memory-store.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('checkpoint bundles', () => {
  it('round-trip a checkpoint through one text file with identical weights', async () => {
    const shelf = new CheckpointShelf()
    const w = tf.tensor2d([
      [1.5, -2],
      [3, 4.25],
    ])
    await shelf.io('m').save(
      {
        stage: 'encoder',
        step: 3,
        steps: 3,
        seed: 1,
        config: {},
        dataset: { label: 'd', fingerprint: 'f', size: 64, count: 4 },
        extractor: null,
        training: {},
      },
      { encoder: [{ name: 'enc/w', tensor: w }] },
    )
    const stored = shelf.checkpoints.get('m')
    if (!stored) throw new Error('not saved')
    const text = encodeBundle({ path: 'm', ...stored })
    const back = await decodeBundle(text, 'm.stepckpt')
    expect(back.manifest).toEqual(stored.manifest)
    const other = new CheckpointShelf()
    other.checkpoints.set(back.path, { manifest: back.manifest, files: new Map(back.files) })
    const loaded = await other.load('m')
    expect(Array.from(await (loaded?.groups.encoder?.[0]?.tensor as tf.Tensor).data())).toEqual([
      1.5, -2, 3, 4.25,
    ])
    tf.dispose([w, ...(loaded?.groups.encoder ?? []).map((g) => g.tensor)])
  })

  it('refuse files that are not JSON or not bundles, naming the file and field', async () => {
    await expect(decodeBundle('{', 'x.stepckpt')).rejects.toThrow(
      'x.stepckpt: not a StEP checkpoint file (not JSON)',
    )
    await expect(decodeBundle('{"format":"zip"}', 'y')).rejects.toThrow(
      /y: not a StEP checkpoint file: format/,
    )
  })
})
