/**
 * Where mapper coverage is lost (examples/models/README.md): on a synthetic set with style
 * clusters, how often the nearest cluster mean of E(B) is B's own cluster, how often E(G(A, E(B)))
 * still lands in B's cluster (also per factor: time of day, texture kind), and how the mapper's
 * own codes M(e) spread over the clusters.
 * Run: npx tsx bench/coverage.ts [--model DIR] [--data DIR] [--backend wasm]
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { openModel } from '../src/cli/model-io.js'
import { imagesToBatch } from '../src/core/image/tensor.js'
import { folderStore } from '../src/data/folder-store.node.js'
import { openPairedDataset } from '../src/data/paired.js'
import { TEXTURE_KINDS } from '../src/data/synth/style.js'
import { normalNoise } from '../src/inference/noise.js'
import { encode, generate } from '../src/inference/model.js'

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'examples/models/default' },
    data: { type: 'string', default: 'out/default/heldout' },
    backend: { type: 'string', default: 'wasm' },
  },
})
const data = values.data ?? ''
const { model } = await openModel(values.model ?? '', values.backend as 'wasm')
const styles = JSON.parse(await readFile(join(data, 'styles.json'), 'utf8')) as {
  samples: { name: string; cluster: number }[]
}
const dataset = await openPairedDataset(folderStore(data), { valFraction: 0 })
const ids = styles.samples.map((s) => s.cluster)
const pairs = await Promise.all(styles.samples.map((s) => dataset.load(s.name)))
const a = imagesToBatch(pairs.map((p) => p.input))
const b = imagesToBatch(pairs.map((p) => p.output))
const zDim = model.encoder.config.zDim
const rows = async (t: tf.Tensor2D) => await t.array()
const codes = await rows(encode(model, b))
const k = Math.max(...ids) + 1
const means = Array.from({ length: k }, (_, c) => {
  const members = codes.filter((_, i) => ids[i] === c)
  return Array.from({ length: zDim }, (_, d) => {
    return members.reduce((s, z) => s + (z[d] ?? 0), 0) / members.length
  })
})
const nearest = (z: number[]) => {
  const d = means.map((m) => m.reduce((s, v, j) => s + (v - (z[j] ?? 0)) ** 2, 0))
  return d.indexOf(Math.min(...d))
}
const agreement = (zs: number[][], same: (a: number, b: number) => boolean) =>
  Number((zs.filter((z, i) => same(nearest(z), ids[i] ?? -1)).length / zs.length).toFixed(3))
const accuracy = (zs: number[][]) => agreement(zs, (a, b) => a === b)
// synthetic clusters are time of day x texture kind (src/data/synth/style.ts, styleCluster)
const textures = TEXTURE_KINDS.length
const factors = (zs: number[][]) => ({
  time_of_day: agreement(zs, (a, b) => Math.floor(a / textures) === Math.floor(b / textures)),
  texture: agreement(zs, (a, b) => a % textures === b % textures),
})
const spread = (zs: number[][]) => {
  const h = new Array<number>(k).fill(0)
  for (const z of zs) h[nearest(z)] = (h[nearest(z)] ?? 0) + 1
  return h
}
const reencoded = await rows(encode(model, generate(model, a, tf.tensor2d(codes))))
const mapper = model.mapper
const result = {
  model: values.model,
  data,
  e_b_own_cluster: accuracy(codes),
  e_g_a_e_b_own_cluster: accuracy(reencoded),
  // the same checks per factor: is the nearest cluster's time of day / texture kind B's own?
  e_b_factors: factors(codes),
  e_g_a_e_b_factors: factors(reencoded),
  mapper_codes: mapper
    ? Object.fromEntries(
        await Promise.all(
          [64, 1024].map(async (n) => {
            const m = mapper.apply(tf.tensor2d(normalNoise(4, n, zDim), [n, zDim]))
            return [`per_cluster_of_${n}`, spread(await rows(m))] as const
          }),
        ),
      )
    : null,
}
console.log(JSON.stringify(result, null, 2))
