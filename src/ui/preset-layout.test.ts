/**
 * The shipped presets are laid out by the editor's Arrange (auto-layout.ts): left to right, no
 * overlaps, every widget inside its node. After editing a preset, lay it out again with
 *   STEP_ARRANGE_PRESETS=1 npx vitest run src/ui/preset-layout.test.ts
 * which rewrites only each node's pos and size in the files.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { LGraph, LGraphNode, LiteGraph } from '@comfyorg/litegraph'
import { format } from 'prettier'
import { beforeAll, describe, expect, it } from 'vitest'
import { arrange } from './auto-layout.js'
import { registerStepNodes } from './litegraph-nodes.js'

const FILES = [
  ...readdirSync('examples/presets').map((f) => `examples/presets/${f}`),
  ...readdirSync('examples/browser').map((f) => `examples/browser/${f}`),
].filter((f) => f.endsWith('.json'))

beforeAll(() => {
  registerStepNodes({ registerNodeType: (t, c) => LiteGraph.registerNodeType(t, c), LGraphNode })
})

type PresetJson = { nodes: { id: number; pos: number[]; size: number[] }[] }

/** `json`'s nodes as Arrange places and sizes them: id -> [x, y, w, h]. */
function arranged(json: PresetJson): Map<number, number[]> {
  const graph = new LGraph()
  graph.configure(structuredClone(json) as unknown as Parameters<LGraph['configure']>[0])
  arrange(graph)
  return new Map(
    graph.nodes.map((n) => [Number(n.id), [...n.pos, ...n.size].map((v) => Math.round(v))]),
  )
}

describe('shipped presets', () => {
  it.each(FILES)('%s is laid out by Arrange', async (file) => {
    const json = JSON.parse(readFileSync(file, 'utf8')) as PresetJson
    const want = arranged(json)
    if (process.env.STEP_ARRANGE_PRESETS === '1') {
      for (const n of json.nodes) {
        const [x = 0, y = 0, w = 0, h = 0] = want.get(n.id) ?? []
        n.pos = [x, y]
        n.size = [w, h]
      }
      const text = JSON.stringify(json, null, 2)
      writeFileSync(file, await format(text, { parser: 'json', filepath: file }))
    }
    const now = JSON.parse(readFileSync(file, 'utf8')) as PresetJson
    expect(now.nodes.map((n) => [n.id, ...n.pos, ...n.size])).toEqual(
      now.nodes.map((n) => [n.id, ...(want.get(n.id) ?? [])]),
    )
  })
})
