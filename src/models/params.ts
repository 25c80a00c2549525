/**
 * Named, seeded trainable parameters for the plain-tfjs networks. Each network owns one Params;
 * weights are drawn on the host from a seeded Rng (so every backend starts from the same numbers)
 * and live as tf.Variables addressed by a path such as 'enc/block1/conv1/w'.
 */
import * as tf from '@tensorflow/tfjs'
import { createRng, type Rng } from '../core/rng.js'
import { releasePrepared } from './prepared.js'

let uid = 0

/** A flat, ordered map of named variables. */
export class Params {
  private readonly vars = new Map<string, tf.Variable>()
  private readonly rng: Rng

  /** `seed` drives every initial value; `prefix` namespaces the names (e.g. 'enc'). */
  constructor(
    readonly seed: number,
    readonly prefix = '',
  ) {
    this.rng = createRng(seed)
  }

  private add(
    name: string,
    values: Float32Array,
    shape: number[],
    trainable: boolean,
  ): tf.Variable {
    const full = this.prefix ? `${this.prefix}/${name}` : name
    if (this.vars.has(full)) throw new Error(`parameter '${full}' defined twice`)
    // tidy frees the initial tensor (tf.variable copies it; variables survive a tidy)
    const id = `${full}_${this.seed}_${uid++}`
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable, id))
    this.vars.set(full, v)
    return v
  }

  /** N(0, std^2) weights (std 1 for equalised-learning-rate layers). */
  normal(name: string, shape: number[], std = 1): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1)
    const values = new Float32Array(n)
    for (let i = 0; i < n; i++) values[i] = this.rng.normal() * std
    return this.add(name, values, shape, true)
  }

  /** A constant-filled trainable tensor (biases: 0; scales: 1). */
  constant(name: string, shape: number[], value = 0): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1)
    return this.add(name, new Float32Array(n).fill(value), shape, true)
  }

  /** The variable `name` (full name, with prefix). */
  get(name: string): tf.Variable {
    const v = this.vars.get(name)
    if (!v)
      throw new Error(
        `no parameter '${name}'; known: ${[...this.vars.keys()].slice(0, 8).join(', ')}…`,
      )
    return v
  }

  /** All variables in definition order. */
  list(): tf.Variable[] {
    return [...this.vars.values()]
  }

  /** [name, variable] pairs in definition order. */
  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()]
  }

  /** Number of scalar parameters. */
  count(): number {
    return this.list().reduce((s, v) => s + v.size, 0)
  }

  /** Overwrites values from a name -> tensor map; every parameter must be present with its shape. */
  assign(values: Record<string, tf.Tensor>): void {
    for (const [name, v] of this.vars) {
      const t = values[name]
      if (!t) throw new Error(`missing parameter '${name}'`)
      if (t.shape.join(',') !== v.shape.join(',')) {
        throw new Error(
          `parameter '${name}': shape [${t.shape.join(', ')}], expected [${v.shape.join(', ')}]`,
        )
      }
      v.assign(t)
    }
  }

  /** Disposes every variable. */
  dispose(): void {
    for (const v of this.vars.values()) {
      releasePrepared(v)
      v.dispose()
    }
    this.vars.clear()
  }
}
