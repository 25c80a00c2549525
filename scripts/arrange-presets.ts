/**
 * Lays out preset files left to right with the editor's Arrange (src/ui/auto-layout.ts) and
 * writes back only each node's pos and size; everything else in the files is kept as it is.
 *
 *   npx tsx scripts/arrange-presets.ts examples/presets/*.json examples/browser/*.json
 */
import { readFile, writeFile } from 'node:fs/promises'
import { LGraph, LGraphNode, LiteGraph } from '@comfyorg/litegraph'
import { format } from 'prettier'
import { arrange } from '../src/ui/auto-layout.js'
import { registerStepNodes } from '../src/ui/litegraph-nodes.js'

registerStepNodes({ registerNodeType: (t, c) => LiteGraph.registerNodeType(t, c), LGraphNode })

for (const file of process.argv.slice(2)) {
  const json = JSON.parse(await readFile(file, 'utf8')) as {
    nodes: { id: number; pos: number[]; size: number[] }[]
  }
  const graph = new LGraph()
  graph.configure(structuredClone(json) as unknown as Parameters<LGraph['configure']>[0])
  arrange(graph)
  for (const n of json.nodes) {
    const node = graph.getNodeById(n.id)
    if (!node) continue
    n.pos = [Math.round(node.pos[0] ?? 0), Math.round(node.pos[1] ?? 0)]
    n.size = [Math.round(node.size[0] ?? 0), Math.round(node.size[1] ?? 0)]
  }
  await writeFile(file, await format(JSON.stringify(json, null, 2), { parser: 'json', filepath: file }))
  console.log(`${file}: ${json.nodes.length} nodes arranged`)
}
