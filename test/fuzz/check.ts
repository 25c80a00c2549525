/**
 * What the fuzzers count as a failure. A case passes when the code under test either accepts the
 * input or rejects it with one of the project's structured errors (a StepError with a code and a
 * non-empty `where`, or a preset problem naming a node id or title), finishes within the time
 * budget, and leaves the built-in prototypes exactly as they were.
 */
import { StepError } from '../../src/core/errors.js'
import type { GraphErrorInfo } from '../../src/runtime/graph-errors.js'

/** How one fuzz case ended. */
export type Outcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'rejected'; readonly code: string }
  | { readonly kind: 'failure'; readonly reason: string }

/** A case slower than this (ms) counts as a hang. */
export const CASE_BUDGET_MS = 2000

/** The outcome of a thrown value: structured and naming `where`, or a failure saying why not. */
export function classifyThrow(err: unknown, where: string): Outcome {
  if (!(err instanceof StepError)) {
    const name = err instanceof Error ? err.name : typeof err
    const msg = err instanceof Error ? err.message : String(err)
    return { kind: 'failure', reason: `unstructured ${name}: ${msg.slice(0, 300)}` }
  }
  if (!err.code || err.where.trim() === '')
    return { kind: 'failure', reason: `StepError without a location: ${err.message}` }
  if (!err.where.includes(where))
    return { kind: 'failure', reason: `error names '${err.where}', not '${where}': ${err.message}` }
  return { kind: 'rejected', code: err.code }
}

/** Null when every problem names a node (id or title) and says something; else why not. */
export function unlocatedProblem(problems: readonly GraphErrorInfo[]): string | null {
  for (const p of problems) {
    if (p.nodeId === null && p.title.trim() === '')
      return `problem without a node: ${p.kind}: ${p.message}`
    if (p.message.trim() === '') return `problem without a message: ${p.kind} at ${p.title}`
  }
  return null
}

const PROTOTYPES: readonly [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
]

/** A snapshot of the built-in prototypes' own keys, to compare after each case. */
export function prototypeSnapshot(): Map<string, string> {
  return new Map(
    PROTOTYPES.map(([name, p]) => [name, Reflect.ownKeys(p).map(String).sort().join(',')]),
  )
}

/** Null when no prototype changed since `before` and `{}` inherits nothing enumerable. */
export function pollution(before: Map<string, string>): string | null {
  const now = prototypeSnapshot()
  for (const [name, keys] of before)
    if (now.get(name) !== keys) return `${name} changed: own keys now ${now.get(name)}`
  for (const key in {}) return `({}) inherits enumerable '${key}'`
  const probe: Record<string, unknown> = {}
  for (const key of ['polluted', 'isAdmin', 'path', 'type', 'nodes'])
    if (probe[key] !== undefined) return `({}).${key} is inherited`
  return null
}

/**
 * Null when every object reachable from `root` is a plain object (prototype Object.prototype or
 * null) or an array, and none has an own '__proto__' key that gained a prototype; else the path.
 */
export function inheritedSurprise(root: unknown, path = '$', depth = 0): string | null {
  if (root === null || typeof root !== 'object' || depth > 64) return null
  const proto: unknown = Object.getPrototypeOf(root)
  if (Array.isArray(root)) {
    if (proto !== Array.prototype) return `${path} is an array with a foreign prototype`
    for (const [i, v] of root.entries()) {
      const bad = inheritedSurprise(v, `${path}[${i}]`, depth + 1)
      if (bad) return bad
    }
    return null
  }
  if (proto !== Object.prototype && proto !== null) return `${path} has a foreign prototype`
  for (const [k, v] of Object.entries(root)) {
    const bad = inheritedSurprise(v, `${path}.${k}`, depth + 1)
    if (bad) return bad
  }
  return null
}
