/**
 * The preset fuzzer: seeded mutations of the shipped presets (wrong types, missing fields, huge
 * numbers, NaN, deep nesting, __proto__ / constructor keys, dangling links, cycles, unknown nodes,
 * broken JSON text), each sent through the path a user's file takes: the text -> parsePresetText
 * -> loadPreset -> validateGraph -> presetText (what Save and the PNG provenance write) -> load
 * again. Objects (the editor's path, where NaN and undefined can occur) go in without the text.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRng, deriveSeed, type Rng } from '../../src/core/rng.js'
import { nodeType } from '../../src/nodes/index.js'
import { loadPreset, presetText } from '../../src/runtime/preset.js'
import { parsePresetText } from '../../src/runtime/preset-source.js'
import { validateGraph } from '../../src/runtime/validate.js'
import { classifyThrow, inheritedSurprise, unlocatedProblem, type Outcome } from './check.js'

/** One preset case: JSON text; 'object' cases are materialised (sentinels -> NaN, deep values). */
export interface PresetCase {
  readonly name: string
  readonly mode: 'file' | 'object'
  readonly text: string
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

const ROOT = join(import.meta.dirname, '..', '..')

/** The seed documents: examples/presets/*.json and examples/browser/*.json. */
export function seedPresets(): Json[] {
  const dirs = ['examples/presets', 'examples/browser']
  return dirs.flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(ROOT, d, f), 'utf8')) as Json),
  )
}

// Sentinel strings: special values JSON cannot hold, put in place by materialise().
const S = '\u0000fuzz:'
const SPECIALS: Record<string, unknown> = {
  [`${S}NaN`]: NaN,
  [`${S}Infinity`]: Infinity,
  [`${S}-Infinity`]: -Infinity,
  [`${S}undefined`]: undefined,
  [`${S}-0`]: -0,
}

const KEYS = ['__proto__', 'constructor', 'prototype']

function evilValue(rng: Rng): Json {
  const long = (n: number) => 'x'.repeat(n)
  const pool: (() => Json)[] = [
    () => `${S}NaN`,
    () => `${S}Infinity`,
    () => `${S}-Infinity`,
    () => `${S}undefined`,
    () => `${S}-0`,
    () => `${S}deep:${rng.pick([50, 1000, 20000, 200000])}`,
    () => 1e308,
    () => -1e308,
    () => 2 ** 53 + 2,
    () => -1,
    () => 0.5,
    () => 4294967296,
    () => rng.int(40),
    () => '',
    () => 'NaN',
    () => '1e999',
    () => ' 12 ',
    () => long(rng.pick([300, 5000, 200_000])),
    () => null,
    () => true,
    () => [],
    () => ({}),
    () => [1, 2, 3],
    () => ({ polluted: 1 }),
    () =>
      JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}') as Json,
    () => '../../../../etc/passwd',
    () => '/etc/passwd',
    () => 'https://evil.example/x.png',
    () => 'javascript:alert(1)',
    () => 'data:image/png;base64,iVBORw0KGgo=',
    () => '\u0000\uffff\ud800',
    () => rng.pick(['step/load-image', 'step/generate', 'step/nope', 'Image', 'Model', '*']),
  ]
  return rng.pick(pool)()
}

/** Every container (object or array) in `v` with its path, shallow-first (depth-limited). */
function containers(v: Json, out: Json[] = [], depth = 0): Json[] {
  if (v === null || typeof v !== 'object' || depth > 12) return out
  out.push(v)
  for (const c of Array.isArray(v) ? v : Object.values(v)) containers(c, out, depth + 1)
  return out
}

function nodesOf(doc: Json): { [k: string]: Json }[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return []
  const nodes = doc.nodes
  return Array.isArray(nodes)
    ? nodes.filter(
        (n): n is { [k: string]: Json } => !!n && typeof n === 'object' && !Array.isArray(n),
      )
    : []
}

function linksOf(doc: Json): Json[] | null {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null
  if (!Array.isArray(doc.links)) doc.links = []
  return doc.links
}

function setOwn(o: { [k: string]: Json }, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
}

/** One structural mutation of `doc` (in place; returns the possibly replaced document). */
function mutate(doc: Json, rng: Rng): Json {
  const all = containers(doc)
  const target = rng.pick(all.length > 0 ? all : [doc])
  const nodes = nodesOf(doc)
  const ids = nodes.map((n) => n.id).filter((i): i is number => typeof i === 'number')
  switch (rng.int(16)) {
    case 0:
    case 1: {
      // replace a value with a wrong type / special value
      if (Array.isArray(target) && target.length > 0)
        target[rng.int(target.length)] = evilValue(rng)
      else if (target && typeof target === 'object' && !Array.isArray(target)) {
        const keys = Object.keys(target)
        const k = keys.length > 0 ? rng.pick(keys) : 'x'
        setOwn(target, k, evilValue(rng))
      }
      return doc
    }
    case 2: {
      // delete a field or an element
      if (Array.isArray(target) && target.length > 0) target.splice(rng.int(target.length), 1)
      else if (target && typeof target === 'object' && !Array.isArray(target)) {
        const keys = Object.keys(target)
        if (keys.length > 0) Reflect.deleteProperty(target, rng.pick(keys))
      }
      return doc
    }
    case 3: {
      // prototype keys, anywhere: widget names in properties included
      const where = nodes.length > 0 && rng.next() < 0.5 ? rng.pick(nodes) : target
      const obj =
        where && typeof where === 'object' && !Array.isArray(where)
          ? rng.next() < 0.5 && where.properties && typeof where.properties === 'object'
            ? (where.properties as { [k: string]: Json })
            : where
          : null
      if (obj)
        setOwn(
          obj,
          rng.pick(KEYS),
          rng.pick<Json>([{ polluted: 1 }, { prototype: { polluted: 1 } }, 'x', 7]),
        )
      return doc
    }
    case 4: {
      // a dangling link (to or from nodes that do not exist, odd slots)
      const pickId = () =>
        ids.length > 0 && rng.next() < 0.5 ? rng.pick(ids) : rng.int(1000) + 500
      linksOf(doc)?.push([rng.int(10000), pickId(), rng.int(4), pickId(), rng.int(4), 'Image'])
      return doc
    }
    case 5: {
      // a cycle between two existing nodes
      if (ids.length >= 2) {
        const a = rng.pick(ids)
        const b = rng.pick(ids)
        linksOf(doc)?.push(
          [9000 + rng.int(500), a, 0, b, rng.int(3), '*'],
          [9600 + rng.int(300), b, 0, a, rng.int(3), '*'],
        )
      }
      return doc
    }
    case 6: {
      // an unknown node type
      if (nodes.length > 0)
        rng.pick(nodes).type = rng.pick([
          'step/unknown',
          'evil',
          '',
          '__proto__',
          'step/load-image ',
        ])
      return doc
    }
    case 7: {
      // a duplicate node id
      if (nodes.length > 0 && doc && typeof doc === 'object' && !Array.isArray(doc))
        (doc.nodes as Json[]).push(JSON.parse(JSON.stringify(rng.pick(nodes))) as Json)
      return doc
    }
    case 8: {
      // huge arrays: nodes or links beyond the bounds
      if (doc && typeof doc === 'object' && !Array.isArray(doc) && nodes.length > 0) {
        const n = rng.pick([2001, 2500])
        // copies of a node that is small (a mutated one may hold a huge value: the case would
        // then measure the harness building it, not the code under test)
        const node = rng.pick(nodes)
        const json = JSON.stringify(node)
        const small =
          json.length < 4000 && !json.includes('fuzz:deep') ? node : { type: node.type ?? null }
        // deep copies: a later mutation of one must not reach all of them
        if (rng.next() < 0.5)
          doc.nodes = Array.from({ length: n }, (_, i) => ({ ...structuredClone(small), id: i }))
        else doc.links = Array.from({ length: 8001 }, (_, i) => [i, 1, 0, 2, 0, 'Image'])
      }
      return doc
    }
    case 9: {
      // schemaVersion: missing (migration from positional widgets_values), wrong, newer
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
        const v = rng.pick<Json>([null, 0, 2, -1, 1.5, '1', 1e308, `${S}NaN`])
        if (v === null || v === 0) {
          delete doc.schemaVersion
          for (const n of nodes) n.widgets_values = [evilValue(rng), evilValue(rng), 3, 'cover']
        } else doc.schemaVersion = v
      }
      return doc
    }
    case 10: {
      // huge / negative / fractional ids and slots
      const n = nodes.length > 0 ? rng.pick(nodes) : null
      const v = rng.pick([1e308, -1, 2 ** 53, 0.5, 2 ** 31, `${S}NaN`])
      if (n) n.id = v
      const links = linksOf(doc)
      if (links && links.length > 0) {
        const l = rng.pick(links)
        if (Array.isArray(l) && l.length > 0) l[rng.int(l.length)] = v
      }
      return doc
    }
    case 11: {
      // links in litegraph's object format
      const links = linksOf(doc)
      if (links)
        links.forEach((l, i) => {
          if (Array.isArray(l))
            links[i] = {
              id: l[0] ?? null,
              origin_id: l[1] ?? null,
              origin_slot: l[2] ?? null,
              target_id: l[3] ?? null,
              target_slot: l[4] ?? null,
              type: l[5] ?? null,
            }
        })
      return doc
    }
    case 12: {
      // inputs / outputs whose names collide with prototype members
      if (nodes.length > 0) {
        const n = rng.pick(nodes)
        const name = rng.pick([...KEYS, 'toString', 'hasOwnProperty', 'valueOf'])
        n.inputs = [{ name, type: 'Image', link: rng.int(20) }]
        if (rng.next() < 0.5) n.outputs = [{ name, type: 'Image', links: [rng.int(20)] }]
      }
      return doc
    }
    case 13:
      // the document itself replaced by something else
      return rng.pick<Json>([
        null,
        [],
        'preset',
        12,
        { nodes: 'x' },
        { schemaVersion: 1 },
        evilValue(rng),
      ])
    case 14: {
      // a widget value of every kind on a real node
      if (nodes.length > 0) {
        const n = rng.pick(nodes)
        const props =
          n.properties && typeof n.properties === 'object' && !Array.isArray(n.properties)
            ? n.properties
            : (n.properties = {})
        const def = nodeType(typeof n.type === 'string' ? n.type : '')
        const names = Object.keys(def?.widgets ?? {})
        setOwn(props, names.length > 0 ? rng.pick(names) : 'seed', evilValue(rng))
      }
      return doc
    }
    default: {
      // properties or inputs of the wrong container type
      if (nodes.length > 0) {
        const n = rng.pick(nodes)
        n[rng.pick(['properties', 'inputs', 'outputs', 'pos', 'mode', 'title'])] = evilValue(rng)
      }
      return doc
    }
  }
}

function textMutation(text: string, rng: Rng): string {
  switch (rng.int(8)) {
    case 0:
      return text.slice(0, rng.int(text.length + 1))
    case 1: {
      const i = rng.int(text.length + 1)
      return (
        text.slice(0, i) +
        rng.pick(['{', '}', '"', ',', '\u0000', 'NaN', '1e999', '-', '[']) +
        text.slice(i)
      )
    }
    case 2:
      return `\ufeff${text}`
    case 3:
      return ''
    case 4:
      return text.replace(/\d+/, rng.pick(['NaN', '1e999', '-0', '99999999999999999999', '0x10']))
    case 5:
      return `${text}${text}`
    case 6:
      return rng.pick([
        'null',
        '[]',
        '"x"',
        '{}',
        '{"schemaVersion":1,"nodes":[]}',
        ' '.repeat(5000),
      ])
    default: {
      const i = rng.int(text.length)
      return text.slice(0, i) + String.fromCharCode(rng.int(128)) + text.slice(i + 1)
    }
  }
}

/** Case `index` of the stream seeded by `seed` (deterministic: replay by seed and index). */
export function presetCase(seeds: readonly Json[], seed: number, index: number): PresetCase {
  const rng = createRng(deriveSeed(seed, 'preset', index))
  let doc = JSON.parse(JSON.stringify(rng.pick(seeds))) as Json
  const n = 1 + rng.int(4)
  for (let i = 0; i < n; i++) doc = mutate(doc, rng)
  let text = serialise(doc)
  // objects are built by the harness (materialise): kept small so the time is the code's
  const mode = rng.next() < 0.3 && text.length < 1_000_000 ? 'object' : 'file'
  if (mode === 'file' && rng.next() < 0.2) text = textMutation(text, rng)
  return { name: `preset-${seed}-${index}`, mode, text }
}

/** JSON text; deep-nesting sentinels become real nesting in 'file' text. */
function serialise(doc: Json): string {
  return JSON.stringify(doc).replace(/"\\u0000fuzz:deep:(\d+)"/g, (_, n: string) => {
    const d = Number(n)
    return `${'['.repeat(d)}${']'.repeat(d)}`
  })
}

/** The object a case stands for ('object' mode): sentinels replaced by their values. */
export function materialise(text: string): unknown {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string' && v.startsWith(S)) {
      if (v in SPECIALS) return SPECIALS[v]
      const deep = v.startsWith(`${S}deep:`) ? Number(v.slice(S.length + 5)) : NaN
      if (Number.isInteger(deep)) {
        let out: unknown = []
        for (let i = 0; i < deep; i++) out = [out]
        return out
      }
      return v
    }
    if (v === null || typeof v !== 'object' || depth > 200) return v
    if (Array.isArray(v)) {
      v.forEach((c, i) => (v[i] = walk(c, depth + 1)))
      return v
    }
    const o = v as Record<string, unknown>
    for (const k of Object.keys(o)) setOwnUnknown(o, k, walk(o[k], depth + 1))
    return o
  }
  return walk(JSON.parse(text), 0)
}

function setOwnUnknown(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
}

/** Runs one case through the whole load path; see the module comment. */
export function runPresetCase(c: PresetCase): Outcome {
  const where = `${c.name}.json`
  let input: unknown
  try {
    input = c.mode === 'file' ? parsePresetText(c.text, where) : materialise(c.text)
  } catch (err) {
    return classifyThrow(err, where)
  }
  try {
    const loaded = loadPreset(input, where)
    const problem =
      unlocatedProblem(loaded.problems) ??
      unlocatedProblem(validateGraph(loaded.graph, nodeType).errors)
    if (problem) return { kind: 'failure', reason: problem }
    for (const n of loaded.graph.nodes) {
      const bad =
        inheritedSurprise(n.widgets, `node ${n.id} widgets`) ??
        inheritedSurprise(n.inputs, `node ${n.id} inputs`)
      if (bad) return { kind: 'failure', reason: bad }
    }
    // what Save / the PNG provenance write must load again
    const again = loadPreset(parsePresetText(presetText(loaded.preset), where), where)
    if (again.graph.nodes.length < loaded.graph.nodes.length)
      return { kind: 'failure', reason: 'a saved preset loads back fewer nodes' }
    return { kind: 'accepted' }
  } catch (err) {
    return classifyThrow(err, where)
  }
}
