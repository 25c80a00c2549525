import { readFileSync } from 'node:fs'
import { LGraph, LiteGraph, LGraphNode } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { arrange, layoutColumns } from './auto-layout.js'
import { registerStepNodes } from './litegraph-nodes.js'
import { nodesBounds } from './view-fit.js'

beforeAll(() => {
  registerStepNodes({ registerNodeType: (t, c) => LiteGraph.registerNodeType(t, c), LGraphNode })
})

function load(name: string): LGraph {
  const graph = new LGraph()
  const preset = JSON.parse(readFileSync(`examples/presets/${name}.json`, 'utf8')) as object
  graph.configure(preset as Parameters<LGraph['configure']>[0])
  return graph
}

const overlap = (a: LGraphNode, b: LGraphNode) => {
  const t = LiteGraph.NODE_TITLE_HEIGHT
  const [ax = 0, ay = 0] = a.pos
  const [bx = 0, by = 0] = b.pos
  const [aw = 0, ah = 0] = a.size
  const [bw = 0, bh = 0] = b.size
  return ax < bx + bw && bx < ax + aw && ay - t < by + bh && by - t < ay + ah
}

describe('arrange', () => {
  it('puts every link left to right, no two nodes overlapping', () => {
    for (const name of [
      'default',
      'style-transfer',
      'random-sampling',
      'train-from-scratch',
      'interpolation-grid',
    ]) {
      const graph = load(name)
      const band = arrange(graph)
      const cols = layoutColumns(graph)
      for (const link of graph.links.values()) {
        const from = graph.getNodeById(link.origin_id)
        const to = graph.getNodeById(link.target_id)
        if (!from || !to) continue
        const [a = 0, b = 0] = [cols.get(from), cols.get(to)]
        expect(b).toBeGreaterThan(a)
        if (Math.floor(a / band) === Math.floor(b / band))
          expect(to.pos[0]).toBeGreaterThan((from.pos[0] ?? 0) + (from.size[0] ?? 0))
        else expect(to.pos[1]).toBeGreaterThan((from.pos[1] ?? 0) + (from.size[1] ?? 0))
      }
      for (const a of graph.nodes)
        for (const b of graph.nodes)
          if (a !== b) expect([name, a.id, b.id, overlap(a, b)]).toEqual([name, a.id, b.id, false])
    }
  })

  it('gives the default graph 5 columns, loaders first', () => {
    const graph = load('default')
    arrange(graph)
    const cols = layoutColumns(graph)
    expect(Math.max(...cols.values())).toBe(4)
    expect(
      graph.nodes
        .filter((n) => cols.get(n) === 0)
        .map((n) => n.type)
        .sort(),
    ).toEqual(['step/gaussian-sample', 'step/load-image', 'step/load-image', 'step/load-model'])
    const [, , w, h] = nodesBounds(graph.nodes) ?? [0, 0, 0, 0]
    expect(w).toBeLessThan(1500)
    expect(h).toBeLessThan(900)
  })
})

describe('freeSpot', () => {
  it('finds a place next to nodes already there instead of on top of them', async () => {
    const { freeSpot } = await import('./view-fit.js')
    const graph = new LGraph()
    const spots: [number, number][] = []
    for (let i = 0; i < 4; i++) {
      const node = LiteGraph.createNode('step/gaussian-sample')
      if (!node) throw new Error('no node')
      const [w = 0, h = 0] = node.size
      node.pos = freeSpot(graph.nodes, [100, 100], [w, h])
      spots.push([node.pos[0] ?? 0, node.pos[1] ?? 0])
      graph.add(node)
    }
    expect(new Set(spots.map((s) => s.join(','))).size).toBe(4)
    expect(spots[0]).toEqual([100, 100])
  })
})
