import { describe, expect, it } from 'vitest'
import { applySet, buildPreset, loadPreset, presetText, withWidgets } from './preset.js'
import { PRESET_SCHEMA_VERSION } from './preset-schema.js'

const drafts = buildPreset([
  { id: 1, type: 'step/load-model', widgets: { path: 'default' } },
  { id: 2, type: 'step/gaussian-sample', title: 'Noise', widgets: { count: 4, seed: 9 } },
  { id: 3, type: 'step/mapper', inputs: { noise: [2, 'noise'], mapper: [1, 'model'] } },
])

describe('presets', () => {
  it('load into a graph with widgets by name and links by socket name', () => {
    const { graph, problems } = loadPreset(JSON.parse(JSON.stringify(drafts)), 'p.json')
    expect(problems).toEqual([])
    const mapper = graph.nodes.find((n) => n.id === 3)
    expect(mapper?.inputs).toEqual({
      noise: { node: 2, output: 'noise' },
      mapper: { node: 1, output: 'model' },
    })
    expect({ ...graph.nodes.find((n) => n.id === 2)?.widgets }).toEqual({ count: 4, seed: 9 })
    expect(graph.nodes.find((n) => n.id === 2)?.title).toBe('Noise')
  })

  it('resolve links by the saved slot names, so a reordered socket list still wires correctly', () => {
    const p = JSON.parse(JSON.stringify(drafts)) as { nodes: { id: number; inputs: unknown[] }[] }
    const mapper = p.nodes.find((n) => n.id === 3)
    mapper?.inputs.reverse() // slots saved as [mapper, noise]; link target_slot values now stale
    const { graph } = loadPreset(p, 'p.json')
    expect(graph.nodes.find((n) => n.id === 3)?.inputs).toEqual({
      noise: { node: 2, output: 'noise' },
      mapper: { node: 1, output: 'model' },
    })
  })

  it('migrate version 0 (positional widgets_values) to widgets by name', () => {
    const v0 = {
      last_node_id: 1,
      nodes: [{ id: 1, type: 'step/gaussian-sample', widgets_values: [5, 8, 42] }],
      links: [],
      version: 0.4,
    }
    const { preset, graph } = loadPreset(v0, 'old.json')
    expect(preset.schemaVersion).toBe(PRESET_SCHEMA_VERSION)
    expect({ ...graph.nodes[0]?.widgets }).toEqual({ count: 5, zDim: 8, seed: 42 })
  })

  it('refuse a newer schema and non-objects with errors naming the file', () => {
    expect(() => loadPreset({ schemaVersion: 99, nodes: [] }, 'new.json')).toThrow(
      /new\.json: schemaVersion 99 is newer/,
    )
    expect(() => loadPreset([1, 2], 'list.json')).toThrow(/list\.json: not a StEP preset/)
    expect(() => loadPreset({ schemaVersion: 1, nodes: 'x' }, 'bad.json')).toThrow(
      /bad\.json: not a StEP preset: nodes/,
    )
  })

  it('load the rest of a preset with an unknown node type or a malformed node, and report them', () => {
    const p = JSON.parse(JSON.stringify(drafts)) as { nodes: unknown[] }
    p.nodes.push({ id: 7, type: 'acme/teleport', properties: {} }, { id: 'eight', type: 3 })
    const { graph, problems } = loadPreset(p, 'p.json')
    expect(graph.nodes.map((n) => n.id)).toEqual([1, 2, 3, 7])
    expect(problems.map((q) => [q.kind, q.nodeId])).toEqual([
      ['unknown-type', 7],
      ['invalid-node', null],
    ])
    expect(problems[0]?.message).toMatch(/unknown node type 'acme\/teleport'/)
  })

  it('never copy __proto__ / constructor keys into widget values', () => {
    const text = JSON.stringify(drafts).replace(
      '"count":4',
      '"count":4,"__proto__":{"polluted":1},"constructor":2',
    )
    const { graph } = loadPreset(JSON.parse(text), 'evil.json')
    const w = graph.nodes.find((n) => n.id === 2)?.widgets ?? {}
    expect(Object.keys(w).sort()).toEqual(['count', 'seed'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('--set overrides a widget by node title or #id, checking the value', () => {
    const p = applySet(applySet(drafts, 'Noise.count=12'), '#1.path=other')
    const { graph } = loadPreset(p, 'p.json')
    expect(graph.nodes.find((n) => n.id === 2)?.widgets.count).toBe(12)
    expect(graph.nodes.find((n) => n.id === 1)?.widgets.path).toBe('other')
    expect(() => applySet(drafts, 'Noise.count=0')).toThrow(
      /expected a value in \[1, 1024\], got 0/,
    )
    expect(() => applySet(drafts, 'Nobody.count=1')).toThrow(/no node titled 'Nobody'/)
    expect(() => applySet(drafts, 'Noise.colour=1')).toThrow(/has no widget 'colour'/)
    expect(() => applySet(drafts, 'garbage')).toThrow(/expected 'Node Title.widget=value'/)
  })

  it('write seeds back and serialise as ASCII-only JSON', () => {
    const p = withWidgets(applySet(drafts, '#1.path=café'), new Map([[2, { seed: 77 }]]))
    const text = presetText(p)
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true)
    const back = loadPreset(JSON.parse(text), 'x').graph
    expect(back.nodes.find((n) => n.id === 2)?.widgets.seed).toBe(77)
    expect(back.nodes.find((n) => n.id === 1)?.widgets.path).toBe('café')
  })
})
