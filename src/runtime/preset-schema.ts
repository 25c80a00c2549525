/**
 * The preset file format: the graph litegraph serialises (nodes, links, groups — so the editor
 * loads presets with graph.configure), plus `schemaVersion` and widget values stored BY NAME in
 * each node's `properties`. Older versions are upgraded by the migration chain in
 * preset-migrate.ts. Parsed with zod at load; sizes are bounded so a hostile file stays small.
 */
import { z } from 'zod'

/** The schema version this code writes. */
export const PRESET_SCHEMA_VERSION = 1
/** Largest number of nodes / links a preset may hold. */
export const MAX_PRESET_NODES = 2000
export const MAX_PRESET_LINKS = 8000

const id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const slot = z.number().int().min(0).max(1000)
const name = z.string().max(200)

/** A link as litegraph's classic format stores it: [id, origin, originSlot, target, targetSlot, type]. */
const linkTuple = z.tuple([id, id, slot, id, slot, z.unknown()])
/** A link as litegraph's newer format stores it. */
const linkObject = z.looseObject({
  id,
  origin_id: id,
  origin_slot: slot,
  target_id: id,
  target_slot: slot,
  type: z.unknown().optional(),
})

/** One serialised node (litegraph fields kept; unknown fields allowed). */
export const presetNodeSchema = z.looseObject({
  id,
  type: name,
  title: name.optional(),
  pos: z.array(z.number()).max(2).optional(),
  size: z.array(z.number()).max(2).optional(),
  mode: z.number().int().min(0).max(4).optional(),
  inputs: z
    .array(z.looseObject({ name, type: z.unknown().optional(), link: id.nullable().optional() }))
    .max(64)
    .optional(),
  outputs: z
    .array(
      z.looseObject({
        name,
        type: z.unknown().optional(),
        links: z.array(id).max(1000).nullable().optional(),
      }),
    )
    .max(64)
    .optional(),
  properties: z.record(name, z.unknown()).optional(),
  widgets_values: z.array(z.unknown()).max(256).optional(),
})

/** A whole preset (after migration to the current version). */
export const presetSchema = z.looseObject({
  schemaVersion: z.literal(PRESET_SCHEMA_VERSION),
  last_node_id: id.optional(),
  last_link_id: id.optional(),
  nodes: z.array(z.unknown()).max(MAX_PRESET_NODES),
  links: z
    .array(z.union([linkTuple, linkObject]))
    .max(MAX_PRESET_LINKS)
    .default([]),
  groups: z.array(z.unknown()).max(1000).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
})

/** A parsed preset; `nodes` are checked one by one (a bad node does not sink the rest). */
export type Preset = z.infer<typeof presetSchema>
/** One serialised node. */
export type PresetNode = z.infer<typeof presetNodeSchema>
/** A link in either litegraph format. */
export type PresetLink = Preset['links'][number]

/** The link fields whichever format it is in. */
export function linkFields(l: PresetLink): {
  id: number
  originId: number
  originSlot: number
  targetId: number
  targetSlot: number
} {
  if (Array.isArray(l))
    return { id: l[0], originId: l[1], originSlot: l[2], targetId: l[3], targetSlot: l[4] }
  return {
    id: l.id,
    originId: l.origin_id,
    originSlot: l.origin_slot,
    targetId: l.target_id,
    targetSlot: l.target_slot,
  }
}
