import { describe, expect, it } from 'vitest'
import { nodeType } from '../nodes/index.js'
import type { Graph, GraphNode } from './graph.js'
import { validateGraph } from './validate.js'

function node(id: number, type: string, extra: Partial<GraphNode> = {}): GraphNode {
  return {
    id,
    type,
    title: nodeType(type)?.title ?? type,
    widgets: {},
    inputs: {},
    muted: false,
    ...extra,
  }
}
const check = (g: Graph) => validateGraph(g, nodeType).errors

describe('validateGraph', () => {
  it('accepts a valid graph and fills widget defaults', () => {
    const v = validateGraph(
      { nodes: [node(1, 'step/gaussian-sample', { widgets: { count: 3 } })] },
      nodeType,
    )
    expect(v.errors).toEqual([])
    expect({ ...v.widgets.get(1) }).toEqual({ count: 3, zDim: 8, seed: 1 })
  })

  it('unknown type', () => {
    expect(check({ nodes: [node(4, 'acme/teleport')] })).toEqual([
      expect.objectContaining({ kind: 'unknown-type', nodeId: 4, received: 'acme/teleport' }),
    ])
  })

  it('missing required input', () => {
    const errs = check({
      nodes: [
        node(2, 'step/mapper', { inputs: { noise: { node: 1, output: 'noise' } } }),
        node(1, 'step/gaussian-sample'),
      ],
    })
    expect(errs).toEqual([
      expect.objectContaining({
        kind: 'missing-input',
        nodeId: 2,
        title: 'Mapper',
        input: 'mapper',
      }),
    ])
    expect(errs[0]?.message).toBe("required input 'mapper' (Mapper) is not connected")
  })

  it('socket type mismatch names expected and received types', () => {
    const errs = check({
      nodes: [
        node(1, 'step/load-image'),
        node(2, 'step/gaussian-sample'),
        node(3, 'step/generate', {
          title: 'Gen',
          inputs: {
            content: { node: 1, output: 'image' },
            style: { node: 1, output: 'image' },
            generator: { node: 2, output: 'noise' },
          },
        }),
      ],
    })
    expect(errs.map((e) => [e.kind, e.nodeId, e.input, e.received])).toEqual([
      ['type-mismatch', 3, 'style', 'Image'],
      ['type-mismatch', 3, 'generator', 'Noise'],
    ])
    expect(errs[0]?.message).toBe(
      "input 'style': expected StyleCode, got Image from node 1 (Load Image)",
    )
  })

  it('accepts the documented widenings (Image -> ImageBatch, Model -> Generator, Noise -> StyleCode)', () => {
    const errs = check({
      nodes: [
        node(1, 'step/load-image'),
        node(2, 'step/load-model'),
        node(3, 'step/gaussian-sample'),
        node(4, 'step/generate', {
          inputs: {
            content: { node: 1, output: 'image' },
            style: { node: 3, output: 'noise' },
            generator: { node: 2, output: 'model' },
          },
        }),
      ],
    })
    expect(errs).toEqual([])
  })

  it('links to a missing node, a missing output or a missing input', () => {
    const errs = check({
      nodes: [
        node(1, 'step/gaussian-sample'),
        node(2, 'step/preview-image', { inputs: { images: { node: 9, output: 'image' } } }),
        node(3, 'step/preview-image', { inputs: { images: { node: 1, output: 'pixels' } } }),
        node(4, 'step/mapper', {
          inputs: {
            noise: { node: 1, output: 'noise' },
            mapper: { node: 1, output: 'noise' },
            extra: { node: 1, output: 'noise' },
          },
        }),
      ],
    })
    expect(errs.map((e) => [e.kind, e.nodeId, e.input])).toEqual([
      ['bad-link', 2, 'images'],
      ['bad-link', 3, 'images'],
      ['type-mismatch', 4, 'mapper'],
      ['bad-link', 4, 'extra'],
    ])
    expect(errs[0]?.received).toBe('node 9')
  })

  it('cycles name every node on them', () => {
    const errs = check({
      nodes: [
        node(1, 'step/style-strength', {
          inputs: { style: { node: 2, output: 'style' }, model: { node: 3, output: 'model' } },
        }),
        node(2, 'step/style-strength', {
          inputs: { style: { node: 1, output: 'style' }, model: { node: 3, output: 'model' } },
        }),
        node(3, 'step/load-model'),
      ],
    })
    expect(errs.filter((e) => e.kind === 'cycle').map((e) => e.nodeId)).toEqual([1, 2])
  })

  it('widget out of range, wrong type and not among options, with the value received', () => {
    const errs = check({
      nodes: [
        node(1, 'step/gaussian-sample', { widgets: { count: 0, zDim: 'eight', seed: 1.5 } }),
        node(2, 'step/interpolate', { widgets: { mode: 'cubic' } }),
      ],
    })
    const widgetErrors = errs.filter((e) => e.widget !== undefined)
    expect(widgetErrors.map((e) => [e.kind, e.nodeId, e.widget, e.received])).toEqual([
      ['widget-range', 1, 'count', '0'],
      ['widget-type', 1, 'zDim', '"eight"'],
      ['widget-type', 1, 'seed', '1.5'],
      ['widget-option', 2, 'mode', '"cubic"'],
    ])
    expect(errs[0]?.message).toBe("widget 'count': expected a value in [1, 1024], got 0")
  })
})
