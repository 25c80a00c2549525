/** `step run`: runs a graph preset (or the graph inside a PNG it wrote) headless. */
import { z } from 'zod'
import { GraphValidationError, nodeLabel } from '../../runtime/graph-errors.js'
import { runHeadless } from '../../runtime/headless.node.js'
import type { RunEvent } from '../../runtime/events.js'
import { backendFlag, parseOptions, pathFlag } from '../args.js'
import { say, warn, type Command } from '../command.js'
import { createProgress, type Progress } from '../progress.js'
import { startBackend } from '../run-setup.js'
import { interruptSignal } from '../signals.js'

const usage = `step run PRESET.json|IMAGE.png [--set "Node Title.widget=value"]... [--out DIR]
        [--until NODE] [--backend auto|wasm|webgpu|cpu] [--cache DIR] [--allow-read DIR]...

Runs a graph preset headless, exactly as the editor would: every node's progress on stderr,
SaveImage files and previews (preview-<node>.png) in DIR (default out/run). A PNG written by a
graph carries that graph and the seeds it used: running it reproduces the image.
  --set T.w=V   override widget w of the node titled T (or #id) with V; repeatable
  --until NODE  run only NODE (a title or #id) and what it depends on
  --cache DIR   where mined neighbour lists are kept (training nodes)
  --allow-read DIR  one more folder the preset may read inputs from (repeatable). Always
                allowed: the preset's folder, the current folder and --out. Other paths
                are read only when given with --set (outputs stay inside --out even then);
                URLs are always refused`

const schema = z.object({
  positionals: z.array(z.string()).length(1, 'expected one preset or PNG file'),
  set: z.array(z.string()).default([]),
  out: pathFlag.default('out/run'),
  until: z.string().optional(),
  backend: backendFlag,
  cache: z.string().optional(),
  'allow-read': z.array(z.string()).optional(),
  help: z.boolean().optional(),
})

/** The command. */
export const runCommand: Command = {
  name: 'run',
  summary: 'run a graph preset (or a PNG made by one) headless',
  usage,
  async run(argv) {
    const o = parseOptions(
      argv,
      {
        set: { type: 'string', multiple: true },
        out: { type: 'string' },
        until: { type: 'string' },
        backend: { type: 'string' },
        cache: { type: 'string' },
        'allow-read': { type: 'string', multiple: true },
      },
      schema,
      true,
    )
    if (o.help) return (say(usage), 0)
    const source = o.positionals[0] ?? ''
    await startBackend(o.backend)
    const titles = new Map<number, string>()
    const bars = new Map<number, Progress>()
    const { signal, release } = interruptSignal()
    const onEvent = (e: RunEvent): void => {
      switch (e.type) {
        case 'cached':
          say(`cached: nodes ${e.nodes.join(', ')}`)
          break
        case 'executing':
          titles.set(e.node, e.title)
          process.stderr.write(`${nodeLabel(e.node, e.title)}: running\n`)
          break
        case 'progress': {
          let bar = bars.get(e.node)
          if (!bar)
            bars.set(
              e.node,
              (bar = createProgress(nodeLabel(e.node, titles.get(e.node) ?? ''), e.max)),
            )
          const figs = Object.entries(e.figures ?? {}).map(([k, v]) => `${k} ${v.toFixed(4)}`)
          bar.update(e.value, figs.join(' ') || undefined)
          break
        }
        case 'log':
          process.stderr.write(`${nodeLabel(e.node, titles.get(e.node) ?? '')}: ${e.message}\n`)
          break
        case 'executed':
          bars.get(e.node)?.finish()
          say(
            `${nodeLabel(e.node, titles.get(e.node) ?? '')}: done in ${(e.ms / 1000).toFixed(2)} s`,
          )
          break
        case 'backend-fallback':
          bars.get(e.node)?.finish()
          warn(
            `${nodeLabel(e.node, e.title)}: backend ${e.from} failed (${e.kind}: ${e.reason}); continuing on ${e.to} (${e.kept} cached outputs moved, ${e.dropped} to recompute)`,
          )
          break
        case 'error':
          warn(`${nodeLabel(e.error.nodeId, e.error.title)}: ${e.error.message}`)
          break
        case 'interrupted':
          warn('run cancelled')
          break
        default:
          break
      }
    }
    try {
      const { result, loaded, previews } = await runHeadless({
        source,
        outDir: o.out,
        sets: o.set,
        ...(o.until !== undefined ? { until: o.until } : {}),
        ...(o.cache !== undefined ? { cacheDir: o.cache } : {}),
        ...(o['allow-read'] ? { allowRead: o['allow-read'] } : {}),
        signal,
        onEvent,
      })
      for (const p of loaded.problems) warn(`${nodeLabel(p.nodeId, p.title)}: ${p.message}`)
      for (const p of previews) say(`preview: ${p}`)
      const seeds =
        Object.keys(result.seeds).length > 0 ? `; seeds ${JSON.stringify(result.seeds)}` : ''
      say(
        `${result.status}: ${result.executed.length} executed, ${result.cached.length} cached${seeds}`,
      )
      if (result.error) throw result.error
      return result.status === 'done' ? 0 : 130
    } catch (err) {
      if (err instanceof GraphValidationError) {
        for (const e of err.errors) warn(`${nodeLabel(e.nodeId, e.title)}: ${e.message}`)
      }
      throw err
    } finally {
      release()
    }
  },
}
