/**
 * The preset migration chain. Version 0 is a plain litegraph graph (no schemaVersion) whose
 * widget values are POSITIONAL in `widgets_values`; version 1 stores them by name in
 * `properties`. Each step upgrades one version; files from a newer version are refused.
 */
import { InputError } from '../core/errors.js'
import { nodeType } from '../nodes/index.js'
import type { NodeLookup } from './validate.js'
import { PRESET_SCHEMA_VERSION } from './preset-schema.js'

type Json = Record<string, unknown>

/** MIGRATIONS[v] upgrades a version-v document to v + 1 (`lookup` gives the node types). */
const MIGRATIONS: readonly ((doc: Json, lookup: NodeLookup) => Json)[] = [
  // 0 -> 1: positional widgets_values -> properties by widget name (spec order).
  (doc, lookup) => ({
    ...doc,
    schemaVersion: 1,
    nodes: Array.isArray(doc.nodes)
      ? doc.nodes.map((n: unknown) => {
          if (!isObject(n) || !Array.isArray(n.widgets_values) || typeof n.type !== 'string')
            return n
          const names = Object.keys(lookup(n.type)?.widgets ?? {})
          const properties: Json = isObject(n.properties) ? { ...n.properties } : {}
          n.widgets_values.forEach((v: unknown, i) => {
            const name = names[i]
            if (name !== undefined && !(name in properties)) properties[name] = v
          })
          const rest: Json = { ...n, properties }
          delete rest.widgets_values
          return rest
        })
      : doc.nodes,
  }),
]

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The document upgraded to PRESET_SCHEMA_VERSION (checked only as far as migrating needs). */
export function migratePreset(
  json: unknown,
  where: string,
  lookup: NodeLookup = nodeType,
): unknown {
  if (!isObject(json))
    throw new InputError('preset/invalid', 'not a StEP preset: expected a JSON object', where)
  const v = json.schemaVersion ?? 0
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new InputError(
      'preset/invalid',
      `schemaVersion: expected a whole number, got ${JSON.stringify(v)}`,
      where,
    )
  if (v > PRESET_SCHEMA_VERSION)
    throw new InputError(
      'preset/version',
      `schemaVersion ${v} is newer than this version of StEP graph reads (${PRESET_SCHEMA_VERSION}); update StEP graph`,
      where,
    )
  let doc: Json = json
  for (let from = v; from < PRESET_SCHEMA_VERSION; from++) {
    const step = MIGRATIONS[from]
    if (step) doc = step(doc, lookup)
  }
  return doc
}
