import { readFileSync } from 'node:fs'
import { LGraph, LiteGraph, LGraphNode } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { NODE_LIST } from '../nodes/index.js'
import { loadPreset } from '../runtime/preset.js'
import { definitionOf, graphToPreset, registerStepNodes } from './litegraph-nodes.js'

beforeAll(() => {
  registerStepNodes({ registerNodeType: (t, c) => LiteGraph.registerNodeType(t, c), LGraphNode })
})

describe('litegraph node classes', () => {
  it('are made from the registry: sockets, widgets and properties by name', () => {
    for (const def of NODE_LIST) {
      const node = LiteGraph.createNode(def.type)
      expect(node).not.toBeNull()
      if (!node) continue
      expect(definitionOf(node)).toBe(def)
      expect(node.inputs.map((i) => [i.name, i.type])).toEqual(
        Object.entries(def.inputs).map(([k, s]) => [k, s.type]),
      )
      expect(node.outputs.map((o) => [o.name, o.type])).toEqual(Object.entries(def.outputs))
      expect((node.widgets ?? []).map((w) => [w.name, w.value])).toEqual(
        Object.entries(def.widgets).map(([k, w]) => [k, w.default]),
      )
      expect({ ...node.properties }).toMatchObject(
        Object.fromEntries(Object.entries(def.widgets).map(([k, w]) => [k, w.default])),
      )
    }
  })

  it('load a preset with graph.configure and serialise back to the same graph', () => {
    const file = 'examples/presets/interpolation-grid.json'
    const preset = JSON.parse(readFileSync(file, 'utf8')) as object
    const graph = new LGraph()
    graph.configure(preset as Parameters<LGraph['configure']>[0])
    const grid = graph.getNodeById(30)
    expect(grid?.widgets?.find((w) => w.name === 'mode')?.value).toBe('grid')
    const back = graphToPreset(graph)
    expect(JSON.stringify(back)).not.toContain('widgets_values')
    const a = loadPreset(preset, file)
    const b = loadPreset(JSON.parse(JSON.stringify(back)), 'serialised')
    expect(b.problems).toEqual([])
    const shape = (g: typeof a.graph) =>
      g.nodes.map((n) => ({
        id: n.id,
        type: n.type,
        title: n.title,
        w: { ...n.widgets },
        i: n.inputs,
      }))
    expect(shape(b.graph)).toEqual(shape(a.graph))
  })

  it('a widget edit changes the by-name property that presets store', () => {
    const node = LiteGraph.createNode('step/gaussian-sample')
    const seed = node?.widgets?.find((w) => w.name === 'seed')
    seed?.callback?.(42, undefined, node as never, [0, 0], undefined)
    expect(node?.properties.seed).toBe(42)
  })
})
