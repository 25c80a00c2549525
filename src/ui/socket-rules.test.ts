import { LiteGraph, LGraphNode } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { canConnect, SOCKET_TYPES } from '../nodes/sockets.js'
import { registerStepNodes } from './litegraph-nodes.js'
import { installSocketRules, type ConnectionCheck } from './socket-rules.js'

beforeAll(() => {
  registerStepNodes({
    registerNodeType: (t, c) => LiteGraph.registerNodeType(t, c),
    LGraphNode,
    connections: LiteGraph,
  })
})

describe('socket rules in litegraph', () => {
  it('accept exactly what the runtime accepts, for every pair of socket types', () => {
    let widened = 0
    for (const from of SOCKET_TYPES)
      for (const to of SOCKET_TYPES) {
        expect([from, to, LiteGraph.isValidConnection(from, to)]).toEqual([
          from,
          to,
          canConnect(from, to),
        ])
        if (from !== to && canConnect(from, to)) widened++
      }
    expect(widened).toBe(5) // Image->ImageBatch, Model->Encoder/Generator/Mapper, Noise->StyleCode
    expect(LiteGraph.isValidConnection('ImageBatch', 'Image')).toBe(false)
  })

  it('leave other types to litegraph and install once', () => {
    expect(LiteGraph.isValidConnection('number', 'number')).toBe(true)
    expect(LiteGraph.isValidConnection('number', 'string')).toBe(false)
    expect(LiteGraph.isValidConnection('*', 'Image')).toBe(true)
    const lite: ConnectionCheck = LiteGraph
    const before = lite.isValidConnection
    installSocketRules(lite)
    expect(lite.isValidConnection).toBe(before)
  })

  it('a link dropped on a node body joins a compatible input (widening included)', () => {
    const generate = LiteGraph.createNode('step/generate')
    const encode = LiteGraph.createNode('step/style-encode')
    const names = (type: string, node: LGraphNode | null) =>
      node?.inputs[node.findInputByType(type)?.index ?? -1]?.name ?? null
    expect(names('Model', generate)).toBe('generator')
    expect(names('Image', generate)).toBe('content')
    expect(names('Noise', generate)).toBe('style')
    expect(names('Image', encode)).toBe('images')
    expect(names('Model', encode)).toBe('encoder')
    expect(names('Metrics', encode)).toBeNull()
    const load = LiteGraph.createNode('step/load-model')
    expect(load?.findOutputByType('Generator')?.slot.name).toBe('model')
  })
})
