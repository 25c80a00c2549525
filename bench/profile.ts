/**
 * Where the generator's forward time goes on one backend: tf.profile of G(A, z) (small config,
 * split z) after warm-up, kernel times summed by kernel name, with each kernel's share (custom
 * gradient scopes, which contain a kernel, are not counted twice).
 * Run: npx tsx bench/profile.ts [--backend wasm] [--size 256] [--batch 1]
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { SMALL } from '../src/models/configs.js'
import { createGenerator } from '../src/models/generator.js'
import { initBackend } from '../src/runtime/backend.js'
import { writeResult } from './common.js'

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    size: { type: 'string', default: '256' },
    batch: { type: 'string', default: '1' },
  },
})
const info = await initBackend({ prefer: values.backend as 'wasm' })
const size = Number(values.size)
const batch = Number(values.batch)
const g = createGenerator(SMALL.generator, 5)
const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], -1, 1)
const z = tf.randomNormal<tf.Rank.R2>([batch, SMALL.generator.zDim])
const forward = async () => {
  const y = g.apply(x, z)
  await y.data()
  y.dispose()
}
await forward()
await forward()
const t0 = performance.now()
const profile = await tf.profile(forward)
const wallMs = performance.now() - t0
const byKernel = new Map<string, { ms: number; calls: number }>()
// customGrad wraps each conv in an 'unnamed scope' entry that contains the Conv2D: not a kernel
for (const k of profile.kernels.filter((k) => !k.name.includes('scope'))) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 }
  byKernel.set(k.name, { ms: e.ms + ms, calls: e.calls + 1 })
}
const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0)
const kernels = [...byKernel.entries()]
  .sort((a, b) => b[1].ms - a[1].ms)
  .map(([name, e]) => ({
    kernel: name,
    calls: e.calls,
    ms: Number(e.ms.toFixed(2)),
    share: Number((e.ms / total).toFixed(3)),
  }))
await writeResult(`profile-${info.backend}-${size}-b${batch}`, {
  backend: info.backend,
  size,
  batch,
  profiled_wall_ms: Number(wallMs.toFixed(1)),
  kernel_ms_total: Number(total.toFixed(1)),
  kernels,
})
