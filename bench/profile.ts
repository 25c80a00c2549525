/**
 * Where the time goes, per kernel (tf.profile after warm-up; custom-gradient scope entries, which
 * contain kernels, are not counted twice: profile-kernels.ts).
 * Default: the generator's forward G(A, z) (small config, split z) on one backend, with each
 * kernel's share. --stage2: a whole stage-2 training step, forward vs backward
 * (profile-stage2.ts). --threads N: wasm threads (default every core).
 * Run: npx tsx bench/profile.ts [--backend wasm] [--size 256] [--batch 1] [--threads N]
 *      npx tsx bench/profile.ts --stage2 [--threads N] [--repeat R]
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { SMALL } from '../src/models/configs.js'
import { createGenerator } from '../src/models/generator.js'
import { initBackend, type BackendName } from '../src/runtime/backend.js'
import { parseThreads } from '../src/runtime/wasm-threads.js'
import { writeResult } from './common.js'
import { profileKernels, totalMs } from './profile-kernels.js'
import { profileStage2 } from './profile-stage2.js'

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    size: { type: 'string', default: '256' },
    batch: { type: 'string', default: '1' },
    threads: { type: 'string' },
    stage2: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
  },
})
const threads = values.threads === undefined ? undefined : parseThreads(values.threads)
if (threads === null) throw new Error(`--threads: expected an integer >= 1, got ${values.threads}`)

if (values.stage2) {
  await profileStage2(threads, Math.max(1, Number(values.repeat)))
} else {
  const info = await initBackend({
    prefer: values.backend as BackendName,
    ...(threads ? { threads } : {}),
  })
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
  const { totals, wallMs } = await profileKernels(forward, info.backend)
  const total = totalMs(totals)
  const kernels = [...totals.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, e]) => ({
      kernel: name,
      calls: e.calls,
      ms: Number(e.ms.toFixed(2)),
      share: Number((e.ms / total).toFixed(3)),
    }))
  const t = info.threads ? `-t${info.threads.threads}` : ''
  await writeResult(`profile-${info.backend}-${size}-b${batch}${t}`, {
    backend: info.backend,
    threads: info.threads?.threads ?? null,
    size,
    batch,
    profiled_wall_ms: Number(wallMs.toFixed(1)),
    kernel_ms_total: Number(total.toFixed(1)),
    kernels,
  })
}
