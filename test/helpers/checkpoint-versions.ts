/**
 * Deterministic checkpoint contents for the crash-safety test (test/checkpoint-crash.test.ts):
 * version v of a model-sized checkpoint (the shipped model's group sizes), different in every
 * value from every other version, so that a loaded checkpoint can be checked bit for bit.
 */
import type { CheckpointDraft, EncodedGroup } from '../../src/checkpoint/manifest.js'

/** Groups and their float32 counts (like examples/models/default: ~1.8 MB in four files). */
export const CRASH_GROUPS = { generator: 394_451, encoder: 48_212, mapper: 9_416, style: 8 }

let base: Float32Array | null = null

function baseValues(): Float32Array {
  if (base) return base
  let s = 0x9e3779b9
  base = new Float32Array(Math.max(...Object.values(CRASH_GROUPS)))
  for (let i = 0; i < base.length; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    base[i] = (s >>> 0) / 2 ** 32
  }
  return base
}

/** Values of `group` in version `v`: base + v + group offset (exact in float32 for v < 2^16). */
export function versionValues(
  group: keyof typeof CRASH_GROUPS,
  v: number,
): Float32Array<ArrayBuffer> {
  const offset = Object.keys(CRASH_GROUPS).indexOf(group) * 0.25
  const b = baseValues()
  const out = new Float32Array(CRASH_GROUPS[group])
  for (let i = 0; i < out.length; i++) out[i] = (b[i] ?? 0) + v + offset
  return out
}

/** The manifest draft of version `v` (steps repeat, so same-step saves are exercised too). */
export function versionDraft(v: number): CheckpointDraft {
  return {
    stage: 'mapper',
    step: v % 3,
    steps: 3,
    seed: 1,
    config: {},
    dataset: { label: 'crash', fingerprint: 'f', size: 64, count: 1 },
    extractor: null,
    training: { version: v },
  }
}

/** Every group of version `v`, encoded as the tfjs weights format would (one float32 tensor). */
export function versionGroups(v: number): Record<string, EncodedGroup> {
  const out: Record<string, EncodedGroup> = {}
  for (const group of Object.keys(CRASH_GROUPS) as (keyof typeof CRASH_GROUPS)[]) {
    const values = versionValues(group, v)
    out[group] = {
      data: values.buffer,
      specs: [{ name: `${group}/w`, shape: [values.length], dtype: 'float32' }],
    }
  }
  return out
}
