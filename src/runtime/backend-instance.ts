/** Dropping a tfjs backend instance while keeping its factory (used by backend.ts only). */
import * as tf from '@tensorflow/tfjs'

interface RegistryInternals {
  readonly registry: Record<string, tf.KernelBackend | undefined>
  readonly registryFactory: Record<
    string,
    { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | undefined
  >
}

/**
 * Forgets the instance of backend `name` while keeping its factory, so the next setBackend(name)
 * builds a fresh one. Tensors on the old instance are lost. False when `name` is not registered.
 */
export function dropBackendInstance(name: string): boolean {
  const engine = tf.engine() as unknown as RegistryInternals
  const entry = engine.registryFactory[name]
  if (!entry) return false
  try {
    tf.removeBackend(name) // disposes the old instance; a broken one may throw while freeing
  } catch {
    delete engine.registry[name]
    delete engine.registryFactory[name]
  }
  tf.registerBackend(name, entry.factory, entry.priority)
  return true
}
