/**
 * Kernel times from a tf.profile, summed by kernel name. tf.profile also lists the forward
 * function of every custom-gradient op (tf.customGrad: our trainable and frozen convs, tfjs's fused
 * ops when they need a gradient) as an entry of its own, named after the scope it runs in
 * ('unnamed scope', or an op scope such as 'fusedConv2d__op' alongside its 'FusedConv2D'), whose
 * time contains the kernels it ran, which are listed too. Such entries are not kernels registered
 * for the backend, and are left out so that nothing is counted twice.
 */
import * as tf from '@tensorflow/tfjs'

/** Calls and summed ms of one kernel. */
export interface KernelTotal {
  ms: number
  calls: number
}

/** True for a kernel of `backend`; false for a custom-gradient scope entry (module comment). */
export function isKernelEntry(name: string, backend: string): boolean {
  return name !== '' && tf.getKernel(name, backend) !== undefined
}

/** Kernel ms and calls by kernel name of `profile` (scope entries left out), added to `into`. */
export function kernelTotals(
  profile: Awaited<ReturnType<typeof tf.profile>>,
  backend: string,
  into = new Map<string, KernelTotal>(),
): Map<string, KernelTotal> {
  for (const k of profile.kernels) {
    if (!isKernelEntry(k.name, backend)) continue
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
    const e = into.get(k.name) ?? { ms: 0, calls: 0 }
    into.set(k.name, { ms: e.ms + ms, calls: e.calls + 1 })
  }
  return into
}

/** The sum of the ms of `totals`. */
export function totalMs(totals: ReadonlyMap<string, KernelTotal>): number {
  return [...totals.values()].reduce((s, e) => s + e.ms, 0)
}

/** Profiles `f` (awaited) and returns its kernel totals and its wall ms. */
export async function profileKernels(
  f: () => Promise<void>,
  backend: string,
): Promise<{ totals: Map<string, KernelTotal>; wallMs: number }> {
  const t0 = performance.now()
  const profile = await tf.profile(f)
  const wallMs = performance.now() - t0
  return { totals: kernelTotals(profile, backend), wallMs }
}
