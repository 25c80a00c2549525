/**
 * Data-parallel gradients of a stage-2/3 step (docs/decisions/0018). The batch is split into
 * equal shards; the calling thread computes the first and each worker of a ShardPool one more, on
 * replicas of E, G, D and the features whose weights are sent with every job. Each shard's losses
 * are means over its samples, so the batch's losses and gradients are the plain averages of the
 * shards' (equal sizes).
 *
 * The discriminator's minibatch-stddev layer couples the samples of a group: with M = B / g
 * groups' columns, sample b is in column b mod M. A shard therefore takes whole columns (column c
 * goes to shard c mod N, so N must divide M), its samples in batch order; inside the shard the same
 * samples then form the same groups, and the step equals the whole-batch step up to float
 * summation order. A batch that does not split that way runs whole on the calling thread.
 */
import * as tf from '@tensorflow/tfjs'
import type { StepModelConfig } from '../../models/configs.js'
import type { FeatureExtractorOptions } from '../../models/features/types.js'
import type { PairTensors } from './data.js'
import {
  GAN_LOSS_NAMES,
  type GanGradients,
  type GanLosses,
  type GradientComputer,
  type LossHook,
} from './gradients.js'
import type { GanLossWeights } from './losses.js'

/** What a shard worker builds its replicas from (plain data: it crosses to the worker). */
export interface ShardSpec {
  readonly config: StepModelConfig
  /** loadFeatureExtractor's spec and options for the run's perceptual features. */
  readonly features: string
  readonly featureOptions: FeatureExtractorOptions
  /** The run's extractor fingerprint: a worker whose features differ refuses to start. */
  readonly fingerprint: string
  readonly trainEncoder: boolean
  /** The run's complete loss weights. */
  readonly weights: GanLossWeights
}

/** How a run may split its batches: `shards` in all, a pool of shards - 1 workers from `start`. */
export interface DataParallel {
  readonly shards: number
  start(spec: ShardSpec): Promise<ShardPool>
}

/** Current weights for a worker's replicas, in GradientComputer's variable orders. */
export interface ShardWeights {
  /** GradientComputer.gVars' values (G, then E when it trains). */
  readonly g: Float32Array[]
  /** GradientComputer.dVars' values. */
  readonly d: Float32Array[]
  /** E's values when E is frozen (not among gVars); empty when it trains. */
  readonly e: Float32Array[]
}

/** One shard's work: the weights and the shard's images, NHWC in [-1, 1]. */
export interface ShardJob {
  readonly weights: ShardWeights
  readonly input: Float32Array
  readonly output: Float32Array
  /** [n, H, W, 3] of input and output. */
  readonly shape: readonly [number, number, number, number]
}

/** One shard's losses (means over its samples) and gradients, in the variable orders. */
export interface ShardResult {
  readonly losses: GanLosses
  readonly g: Float32Array[]
  readonly d: Float32Array[]
}

/** Workers that compute shard gradients (Node: runtime/shard-pool.node.ts). */
export interface ShardPool {
  /** Workers in the pool; the calling thread computes one shard more. */
  readonly size: number
  /** The gradients of `job` on worker `worker` (0 .. size - 1). */
  compute(worker: number, job: ShardJob): Promise<ShardResult>
  /** Ends the workers. */
  dispose(): Promise<void>
}

/**
 * The sample indices of each of `shards` shards of a batch of `batch` whose minibatch-stddev
 * groups (size `group`, as the discriminator chooses it) stay whole; null when they cannot.
 */
export function shardPlan(batch: number, shards: number, group: number): number[][] | null {
  if (shards < 2 || batch < shards) return null
  let g = Math.max(1, Math.min(group, batch))
  while (batch % g !== 0) g-- // the discriminator's rule (minibatchStddev)
  const columns = batch / g
  if (columns % shards !== 0) return null
  const plan: number[][] = Array.from({ length: shards }, () => [])
  for (let b = 0; b < batch; b++) plan[(b % columns) % shards]?.push(b)
  return plan
}

/**
 * A tensor's values in an ArrayBuffer of their own: a backend may hand out a view of its heap,
 * which must be neither cloned whole nor transferred to another thread.
 */
async function ownCopy(t: tf.Tensor): Promise<Float32Array> {
  return new Float32Array((await t.data()) as Float32Array)
}

/** The current weights of `c`'s replicas (see ShardWeights). */
export async function readWeights(c: GradientComputer): Promise<ShardWeights> {
  const values = (vars: readonly tf.Variable[]) => Promise.all(vars.map((v) => ownCopy(v)))
  const frozenE = c.options.trainEncoder ? [] : c.nets.encoder.params.list()
  const [g, d, e] = await Promise.all([values(c.gVars), values(c.dVars), values(frozenE)])
  return { g, d, e }
}

/** Sets the replicas' weights from a job (the worker side). */
export function assignWeights(c: GradientComputer, w: ShardWeights): void {
  const frozenE = c.options.trainEncoder ? [] : c.nets.encoder.params.list()
  for (const [vars, values, what] of [
    [c.gVars, w.g, 'generator'],
    [c.dVars, w.d, 'discriminator'],
    [frozenE, w.e, 'encoder'],
  ] as const) {
    if (vars.length !== values.length)
      throw new Error(`shard: ${values.length} ${what} tensors for ${vars.length} variables`)
    vars.forEach((v, i) => {
      const value = values[i] ?? new Float32Array(0)
      if (value.length !== v.size)
        throw new Error(
          `shard: ${what} tensor ${i} has ${value.length} values, ${v.name} ${v.size}`,
        )
      tf.tidy(() => v.assign(tf.tensor(value, v.shape, 'float32')))
    })
  }
}

/** A worker's job: set the weights, compute the shard's gradients, read them back. */
export async function computeShard(c: GradientComputer, job: ShardJob): Promise<ShardResult> {
  assignWeights(c, job.weights)
  const batch = {
    input: tf.tensor4d(job.input, [...job.shape]),
    output: tf.tensor4d(job.output, [...job.shape]),
  }
  let grads: GanGradients | null = null
  try {
    grads = await c.compute(batch)
    const read = (ts: tf.Tensor[]) => Promise.all(ts.map((t) => ownCopy(t)))
    const [g, d] = await Promise.all([read(grads.g), read(grads.d)])
    return { losses: grads.losses, g, d }
  } finally {
    tf.dispose([batch.input, batch.output, ...(grads?.g ?? []), ...(grads?.d ?? [])])
  }
}

/** Rows `rows` of a host NHWC batch whose samples hold `per` values each. */
function pick(data: Float32Array, rows: readonly number[], per: number): Float32Array {
  const out = new Float32Array(rows.length * per)
  rows.forEach((r, i) => out.set(data.subarray(r * per, (r + 1) * per), i * per))
  return out
}

/**
 * The whole batch's losses and gradients computed shard by shard (see the module comment), or
 * null when the batch does not split over the pool (the caller then computes it whole). `hook`
 * applies to the calling thread's shard only.
 */
export async function shardedGradients(
  c: GradientComputer,
  pool: ShardPool,
  batch: PairTensors,
  hook?: LossHook,
): Promise<GanGradients | null> {
  const [b, h, w, ch] = batch.input.shape
  const plan = shardPlan(b, pool.size + 1, c.nets.discriminator.config.mbstdGroup)
  if (!plan) return null
  const per = h * w * ch
  const [input, output, weights] = await Promise.all([
    batch.input.data() as Promise<Float32Array>,
    batch.output.data() as Promise<Float32Array>,
    readWeights(c),
  ])
  const shape = (n: number) => [n, h, w, ch] as const
  const remote = plan.slice(1).map((rows, i) =>
    pool.compute(i, {
      weights,
      input: pick(input, rows, per),
      output: pick(output, rows, per),
      shape: shape(rows.length),
    }),
  )
  for (const p of remote) p.catch(() => undefined) // surfaced by the Promise.all below
  const own = plan[0] ?? []
  const mine = {
    input: tf.tensor4d(pick(input, own, per), [...shape(own.length)]),
    output: tf.tensor4d(pick(output, own, per), [...shape(own.length)]),
  }
  let local: GanGradients | null = null
  try {
    local = await c.compute(mine, hook)
    const others = await Promise.all(remote)
    const n = plan.length
    const average = (mineT: tf.Tensor[], key: 'g' | 'd') =>
      mineT.map((t, i) =>
        tf.tidy(() => {
          let sum = t
          for (const o of others) sum = tf.add(sum, tf.tensor(o[key][i] ?? [], t.shape, 'float32'))
          return tf.div(sum, n)
        }),
      )
    const ownLosses = local.losses
    const losses = Object.fromEntries(
      GAN_LOSS_NAMES.map((k) => [k, others.reduce((s, o) => s + o.losses[k], ownLosses[k]) / n]),
    ) as unknown as GanLosses
    return { losses, g: average(local.g, 'g'), d: average(local.d, 'd') }
  } finally {
    tf.dispose([mine.input, mine.output, ...(local?.g ?? []), ...(local?.d ?? [])])
  }
}
