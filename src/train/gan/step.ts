/**
 * One optimisation step of stages 2 and 3 (docs/method.md): the losses and both gradients at the
 * current weights (gan/gradients.ts), computed on the whole batch or, with a shard pool, split
 * over worker threads and averaged (gan/shards.ts); then one Adam update of G (and E when it
 * trains) and one of D, applied only when every loss is finite, so a NaN never reaches the
 * weights.
 */
import * as tf from '@tensorflow/tfjs'
import type { FeatureExtractor } from '../../models/features/types.js'
import { Adam, type AdamConfig } from '../adam.js'
import type { PairTensors } from './data.js'
import {
  GAN_LOSS_NAMES,
  GradientComputer,
  type GanGradients,
  type GanLosses,
  type GanNetworks,
  type LossHook,
} from './gradients.js'
import { GAN_LOSS_WEIGHTS, type GanLossWeights } from './losses.js'
import { shardedGradients, type ShardPool } from './shards.js'

/** Options of GanStep. */
export interface GanStepOptions {
  /** Whether E trains with G (stage 3) or stays frozen (stage 2). */
  readonly trainEncoder: boolean
  readonly adam: AdamConfig
  readonly weights?: GanLossWeights
  /**
   * Worker threads that each compute the gradients of one shard of the batch (gan/shards.ts);
   * used when the batch splits evenly (shardPlan), else the whole batch runs here.
   */
  readonly shards?: ShardPool | null
}

/** Both optimisers and the step computation; see the module comment. */
export class GanStep {
  /** Adam over G's variables, then E's when it trains. */
  readonly adamG: Adam
  /** Adam over D's variables. */
  readonly adamD: Adam
  private readonly computer: GradientComputer

  constructor(
    nets: GanNetworks,
    extractor: FeatureExtractor,
    private readonly options: GanStepOptions,
  ) {
    this.computer = new GradientComputer(nets, extractor, {
      trainEncoder: options.trainEncoder,
      weights: options.weights ?? GAN_LOSS_WEIGHTS,
    })
    this.adamG = new Adam(this.computer.gVars, { ...options.adam })
    this.adamD = new Adam(this.computer.dVars, { ...options.adam })
  }

  /**
   * Computes the losses and both gradients at the current weights with learning rate `lr`; applies
   * the updates only when every loss is finite. Returns the losses and whether they were applied.
   * `hook` sees each loss tensor before it is used (tests force NaN with it; with shards, only
   * this thread's shard).
   */
  async run(
    batch: PairTensors,
    lr: number,
    hook?: LossHook,
  ): Promise<{ losses: GanLosses; applied: boolean }> {
    const pool = this.options.shards
    const grads: GanGradients =
      (pool ? await shardedGradients(this.computer, pool, batch, hook) : null) ??
      (await this.computer.compute(batch, hook))
    try {
      const { losses } = grads
      const applied = GAN_LOSS_NAMES.every((k) => Number.isFinite(losses[k]))
      if (applied) {
        this.adamG.config.lr = lr
        this.adamD.config.lr = lr
        this.adamG.apply(grads.g)
        this.adamD.apply(grads.d)
      }
      return { losses, applied }
    } finally {
      tf.dispose([...grads.g, ...grads.d])
    }
  }

  /** Frees both optimisers' state (and the stage-3 regression copy of E). */
  dispose(): void {
    this.adamG.dispose()
    this.adamD.dispose()
    this.computer.dispose()
  }
}
