/**
 * Adam with explicit, serialisable state (first/second moments and the step count). Bias
 * corrections are computed on the host from the step count, so a run resumed from saved state is
 * bit-identical to an uninterrupted one on a deterministic backend.
 */
import * as tf from '@tensorflow/tfjs'
import type { TensorGroup } from '../checkpoint/format.js'

/** Hyper-parameters (the paper's: lr 1e-3, betas (0, 0.99); docs/method.md). */
export interface AdamConfig {
  lr: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon?: number
}

/** An Adam optimiser over a fixed, ordered list of variables. */
export class Adam {
  private readonly m: tf.Variable[]
  private readonly v: tf.Variable[]
  /** Number of updates applied so far. */
  t = 0
  // tidy frees each initial value (tf.variable copies it; variables survive a tidy)
  private readonly tVar = tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false))

  constructor(
    private readonly vars: readonly tf.Variable[],
    readonly config: AdamConfig,
  ) {
    this.m = tf.tidy(() => vars.map((x) => tf.variable(tf.zerosLike(x), false)))
    this.v = tf.tidy(() => vars.map((x) => tf.variable(tf.zerosLike(x), false)))
  }

  /** Applies one update from gradients given in the variables' order. */
  apply(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.vars.length)
      throw new RangeError(`Adam: ${grads.length} gradients for ${this.vars.length} variables`)
    this.t += 1
    tf.tidy(() => this.tVar.assign(tf.scalar(this.t, 'int32')))
    const { lr, beta1, beta2 } = this.config
    const eps = this.config.epsilon ?? 1e-8
    const step = (lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t)
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = grads[i] as tf.Tensor
        const m = this.m[i] as tf.Variable
        const v = this.v[i] as tf.Variable
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)))
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)))
        x.assign(tf.sub(x, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), step)))
      })
    })
  }

  /** Computes loss and gradients of `f` w.r.t. the variables and applies them; returns the loss. */
  minimize(f: () => tf.Scalar): tf.Scalar {
    const { value, grads } = tf.variableGrads(f, [...this.vars])
    const ordered = this.vars.map((x) => {
      const g = grads[x.name]
      if (!g) throw new Error(`Adam: no gradient for variable ${x.name}`)
      return g
    })
    this.apply(ordered)
    tf.dispose(Object.values(grads))
    return value
  }

  /** The state as a named group (moments in variable order, then the step count). */
  state(): TensorGroup {
    return [
      ...this.m.map((t, i) => ({ name: `m/${i}`, tensor: t })),
      ...this.v.map((t, i) => ({ name: `v/${i}`, tensor: t })),
      { name: 't', tensor: this.tVar },
    ]
  }

  /** Restores state saved by `state()`; shapes and count must match. */
  async load(group: ReadonlyArray<{ name: string; tensor: tf.Tensor }>): Promise<void> {
    const byName = new Map(group.map((g) => [g.name, g.tensor]))
    const restore = (vars: tf.Variable[], prefix: string): void =>
      vars.forEach((x, i) => {
        const t = byName.get(`${prefix}/${i}`)
        if (!t || t.shape.join() !== x.shape.join())
          throw new RangeError(`optimizer state '${prefix}/${i}' is missing or has the wrong shape`)
        x.assign(t)
      })
    restore(this.m, 'm')
    restore(this.v, 'v')
    const t = byName.get('t')
    if (!t) throw new RangeError("optimizer state 't' is missing")
    this.t = (await t.data())[0] ?? 0
    tf.tidy(() => this.tVar.assign(tf.scalar(this.t, 'int32')))
  }

  /** Frees the moment buffers. */
  dispose(): void {
    tf.dispose([...this.m, ...this.v, this.tVar])
  }
}
