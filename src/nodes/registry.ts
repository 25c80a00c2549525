/**
 * An open node registry: node types by type id, in registration (palette) order. Registering a
 * type id twice is refused, so a plugin cannot silently replace a built-in node. The built-in
 * table (index.ts) is one frozen registry; `createRegistry` gives a new one that a plugin
 * extends and every runner takes (preset loading, `--set`, migrations, the executor,
 * runHeadless).
 */
import { StepError } from '../core/errors.js'
import type { NodeDefinition } from './define.js'

/** Node types by id. `get` is a plain function (it may be passed on alone as a lookup). */
export interface NodeRegistry {
  /** The node type with id `type`, or undefined (never one of Object's own keys). */
  readonly get: (type: string) => NodeDefinition | undefined
  /** Every node type, in registration order. */
  readonly list: () => readonly NodeDefinition[]
  /** Adds node types; throws naming the type id when one is registered already, or when frozen. */
  readonly register: (...defs: readonly NodeDefinition[]) => void
}

/** A registry holding `nodes`; `frozen` refuses every later registration. */
export function nodeRegistry(nodes: readonly NodeDefinition[], frozen = false): NodeRegistry {
  const table = new Map<string, NodeDefinition>()
  const add = (def: NodeDefinition): void => {
    if (table.has(def.type))
      throw new StepError(
        'registry/duplicate',
        `node type '${def.type}' is registered already (${table.get(def.type)?.title ?? '?'}); choose another type id`,
        def.type,
      )
    table.set(def.type, def)
  }
  for (const def of nodes) add(def)
  return {
    get: (type) => table.get(type),
    list: () => [...table.values()],
    register: (...defs) => {
      if (frozen)
        throw new StepError(
          'registry/frozen',
          'the built-in registry is frozen; register node types on createRegistry()',
          defs.map((d) => d.type).join(', '),
        )
      // check all first, so a refused batch adds nothing
      const ids = new Set<string>()
      for (const def of defs) {
        if (table.has(def.type) || ids.has(def.type))
          throw new StepError(
            'registry/duplicate',
            `node type '${def.type}' is registered already; choose another type id`,
            def.type,
          )
        ids.add(def.type)
      }
      for (const def of defs) add(def)
    },
  }
}
