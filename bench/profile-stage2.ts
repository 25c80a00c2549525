/**
 * Where a stage-2 training step's time goes, per kernel, forward vs backward: the fixed reference
 * (`small`, 64², batch 8, ResNet50 on 3 taps) on wasm with --threads N (default every core).
 * step     = tf.profile of one GanStep.run after 2 warm-up steps;
 * forward  = tf.profile of the same computation without gradients, outside any tape: B's
 *            features and z = E(B), G(A, z), D on (fake, A), the features of the fake, the
 *            losses, D on (B, A) and on (fake, A) again, the losses read back. The kernel scaling
 *            of every conv runs per call as it does under a tape (prepared weights off);
 * backward = step minus forward, per kernel name (the gradients and both Adam updates).
 * Under a tape the forward itself runs differently: every conv scales its kernel per call, the
 * tensors backprop needs are saved (Identity), and tf.fused.conv2d with a ReLU runs unfused
 * (Conv2D + Add + Relu: tfjs fuses only outside gradient mode), which is why FusedConv2D can show
 * a negative backward. So the same forward is also profiled under a tape (`taped_forward_ms`;
 * B's features and z outside it, as in the step), and `gradient_ms` = step minus that: the cost
 * of backprop and Adam alone.
 * Custom-gradient scope entries are left out of every total (profile-kernels.ts). --repeat R
 * averages R profiled steps and R forwards. Writes bench/results/profile-stage2-wasm-t{N}.json
 * and prints the top 20 kernels. Run: npx tsx bench/profile.ts --stage2 [--threads N]
 */
import * as tf from '@tensorflow/tfjs'
import { setPreparedWeights } from '../src/models/prepared.js'
import { describeBackend, initBackend } from '../src/runtime/backend.js'
import {
  lsganDiscriminatorLoss,
  lsganGeneratorLoss,
  perceptualDistance,
  zRegulariser,
} from '../src/train/gan/losses.js'
import { saveResult } from './common.js'
import { profileKernels, totalMs, type KernelTotal } from './profile-kernels.js'
import { createGanBench, TRAIN_BATCH, TRAIN_SIZE, type GanBench } from './train-steps.js'

/** One kernel's share of the step. */
export interface Stage2KernelRow {
  readonly kernel: string
  readonly step_ms: number
  readonly forward_ms: number
  /** step_ms - forward_ms (may dip below 0 by noise for a kernel only the forward runs). */
  readonly backward_ms: number
  /** The forward under a gradient tape, as the step runs it. */
  readonly taped_forward_ms: number
  /** step_ms - taped_forward_ms: backprop and Adam alone. */
  readonly gradient_ms: number
  readonly forward_calls: number
  readonly backward_calls: number
  /** Shares of the forward and backward kernel totals. */
  readonly forward_share: number
  readonly backward_share: number
}

/** The forward computation of one step, without gradients; every loss read back. */
async function forwardOnly(bench: GanBench): Promise<void> {
  const { encoder, generator, discriminator } = bench.nets
  const { input, output } = bench.pair
  const losses = tf.tidy(() => {
    const target = bench.extractor.extract(output)
    const z = encoder.apply(output)
    const fake = generator.apply(input, z)
    const adv = lsganGeneratorLoss(discriminator.apply(fake, input))
    const percept = perceptualDistance(bench.extractor.extract(fake), target)
    const total = tf.add(adv, tf.mul(percept, 0.02))
    const d = lsganDiscriminatorLoss(
      discriminator.apply(output, input),
      discriminator.apply(fake, input),
    )
    return [adv, percept, zRegulariser(z), total, d.real, d.fake, tf.add(d.real, d.fake)]
  })
  await Promise.all(losses.map((l) => l.data()))
  tf.dispose(losses)
}

/** The same forward under a gradient tape (B's features and z outside it, as in the step). */
async function forwardTaped(bench: GanBench): Promise<void> {
  const { encoder, generator, discriminator } = bench.nets
  const { input, output } = bench.pair
  const target = bench.extractor.extract(output)
  const z = encoder.apply(output)
  const anchor = tf.scalar(0)
  // y depends on `anchor` only through `0 * anchor`: backprop from it is two scalar kernels
  const { value, grad } = tf.valueAndGrad((a: tf.Scalar) => {
    const fake = generator.apply(input, z)
    const adv = lsganGeneratorLoss(discriminator.apply(fake, input))
    const percept = perceptualDistance(bench.extractor.extract(fake), target)
    const total = tf.add(adv, tf.mul(percept, 0.02))
    const d = lsganDiscriminatorLoss(
      discriminator.apply(output, input),
      discriminator.apply(fake, input),
    )
    const all = tf.addN([total, zRegulariser(z), d.real, d.fake])
    return tf.add<tf.Scalar>(all, tf.mul(a, 0))
  })(anchor)
  await value.data()
  tf.dispose([...target, z, anchor, value, grad])
}

const round = (v: number, digits = 2) => Number(v.toFixed(digits))

/** Profiles the step and its forward at `threads` (default every core), writes and prints. */
export async function profileStage2(threads: number | undefined, repeat = 1): Promise<void> {
  const info = await initBackend({ prefer: 'wasm', ...(threads ? { threads } : {}) })
  const n = info.threads?.threads ?? 1
  const bench = await createGanBench('generator')
  const step = new Map<string, KernelTotal>()
  const forward = new Map<string, KernelTotal>()
  const taped = new Map<string, KernelTotal>()
  const walls = { step: 0, forward: 0, taped: 0 }
  try {
    for (let i = 0; i < 2; i++) await bench.step()
    setPreparedWeights(false)
    await forwardOnly(bench) // warm-up without prepared weights too
    setPreparedWeights(true)
    await forwardTaped(bench)
    for (let r = 0; r < repeat; r++) {
      const s = await profileKernels(bench.step, info.backend)
      setPreparedWeights(false)
      const f = await profileKernels(() => forwardOnly(bench), info.backend)
      setPreparedWeights(true)
      const t = await profileKernels(() => forwardTaped(bench), info.backend)
      walls.step += s.wallMs / repeat
      walls.forward += f.wallMs / repeat
      walls.taped += t.wallMs / repeat
      for (const [into, from] of [
        [step, s.totals],
        [forward, f.totals],
        [taped, t.totals],
      ] as const) {
        for (const [k, e] of from) {
          const o = into.get(k) ?? { ms: 0, calls: 0 }
          into.set(k, { ms: o.ms + e.ms / repeat, calls: o.calls + e.calls / repeat })
        }
      }
    }
  } finally {
    setPreparedWeights(true)
    bench.dispose()
  }
  const stepTotal = totalMs(step)
  const fwdTotal = totalMs(forward)
  const bwdTotal = stepTotal - fwdTotal
  const tapedTotal = totalMs(taped)
  const names = new Set([...step.keys(), ...forward.keys(), ...taped.keys()])
  const kernels: Stage2KernelRow[] = [...names]
    .map((kernel) => {
      const s = step.get(kernel) ?? { ms: 0, calls: 0 }
      const f = forward.get(kernel) ?? { ms: 0, calls: 0 }
      const t = taped.get(kernel) ?? { ms: 0, calls: 0 }
      return {
        kernel,
        step_ms: round(s.ms),
        forward_ms: round(f.ms),
        backward_ms: round(s.ms - f.ms),
        taped_forward_ms: round(t.ms),
        gradient_ms: round(s.ms - t.ms),
        forward_calls: f.calls,
        backward_calls: s.calls - f.calls,
        forward_share: round(f.ms / fwdTotal, 3),
        backward_share: round((s.ms - f.ms) / bwdTotal, 3),
      }
    })
    .sort((a, b) => b.step_ms - a.step_ms)
  const name = `profile-stage2-${info.backend}-t${n}`
  await saveResult(name, {
    what: 'one GanStep.run, stage 2: small, 64², batch 8, ResNet50 (3 taps)',
    backend: describeBackend(info),
    threads: n,
    size: TRAIN_SIZE,
    batch: TRAIN_BATCH,
    repeat,
    step_wall_ms: round(walls.step, 1),
    forward_wall_ms: round(walls.forward, 1),
    taped_forward_wall_ms: round(walls.taped, 1),
    kernel_ms: {
      step: round(stepTotal, 1),
      forward: round(fwdTotal, 1),
      backward: round(bwdTotal, 1),
      taped_forward: round(tapedTotal, 1),
      gradient: round(stepTotal - tapedTotal, 1),
    },
    kernels,
  })
  printTable(describeBackend(info), kernels, {
    step: stepTotal,
    forward: fwdTotal,
    backward: bwdTotal,
    taped: tapedTotal,
  })
  const w = (v: number) => `${round(v, 1)} ms`
  console.log(
    `wall: step ${w(walls.step)}, forward ${w(walls.forward)}, taped forward ${w(walls.taped)}`,
  )
  console.log(`written: bench/results/${name}.json`)
}

function printTable(
  backend: string,
  rows: readonly Stage2KernelRow[],
  totals: { step: number; forward: number; backward: number; taped: number },
): void {
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`
  const cells = rows
    .slice(0, 20)
    .map((r) => [
      r.kernel,
      r.forward_ms.toFixed(1),
      pct(r.forward_share),
      r.backward_ms.toFixed(1),
      pct(r.backward_share),
      r.step_ms.toFixed(1),
      r.taped_forward_ms.toFixed(1),
      r.gradient_ms.toFixed(1),
    ])
  const head = ['kernel', 'fwd ms', 'fwd %', 'bwd ms', 'bwd %', 'step ms', 'taped fwd', 'grad ms']
  const total = [
    '(all kernels)',
    totals.forward.toFixed(1),
    pct(1),
    totals.backward.toFixed(1),
    pct(1),
    totals.step.toFixed(1),
    totals.taped.toFixed(1),
    (totals.step - totals.taped).toFixed(1),
  ]
  const all = [head, ...cells, total]
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  console.log(`stage-2 step, ${backend}: top 20 kernels by step ms`)
  console.log(
    'fwd / bwd: forward outside any tape, step minus it; taped fwd / grad: the same under a tape',
  )
  for (const r of all)
    console.log(
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '),
    )
}
