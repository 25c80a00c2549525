/** `step nodes`: the node types with their sockets and widgets (text, or JSON for tools). */
import { z } from 'zod'
import { NODE_LIST } from '../../nodes/index.js'
import { parseOptions } from '../args.js'
import { say, type Command } from '../command.js'

const usage = `step nodes [--json]

Lists every node type: its id, category, inputs (? = optional), outputs and widgets with their
defaults and bounds. --json prints the same as one JSON array.`

/** The command. */
export const nodesCommand: Command = {
  name: 'nodes',
  summary: 'list the graph node types, their sockets and widgets',
  usage,
  run(argv) {
    const o = parseOptions(
      argv,
      { json: { type: 'boolean' } },
      z.object({ json: z.boolean().default(false), help: z.boolean().optional() }),
    )
    if (o.help) return Promise.resolve((say(usage), 0))
    if (o.json) {
      const specs = NODE_LIST.map((n) => ({
        type: n.type,
        title: n.title,
        category: n.category,
        description: n.description,
        inputs: n.inputs,
        outputs: n.outputs,
        widgets: n.widgets,
      }))
      say(JSON.stringify(specs, null, 2))
      return Promise.resolve(0)
    }
    for (const n of NODE_LIST) {
      say(`${n.title}  [${n.type}]  (${n.category})`)
      say(`  ${n.description}`)
      const ins = Object.entries(n.inputs).map(
        ([k, s]) => `${k}${s.optional ? '?' : ''}: ${s.type}`,
      )
      const outs = Object.entries(n.outputs).map(([k, t]) => `${k}: ${t}`)
      if (ins.length) say(`  inputs:  ${ins.join(', ')}`)
      if (outs.length) say(`  outputs: ${outs.join(', ')}`)
      for (const [k, w] of Object.entries(n.widgets)) {
        const range =
          'min' in w
            ? ` in [${w.min}, ${w.max}]`
            : 'options' in w
              ? ` of ${w.options.join('|')}`
              : ''
        say(`  widget ${k}: ${w.kind}${range}, default ${JSON.stringify(w.default)}`)
      }
    }
    return Promise.resolve(0)
  },
}
