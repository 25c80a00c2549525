/** `step info`: which tfjs backends work here, and the WebGPU adapter. */
import { z } from 'zod'
import {
  BACKEND_NAMES,
  candidateOrder,
  detectPlatform,
  formatAdapter,
  describeBackend,
  initBackend,
  probeWebGpu,
} from '../../runtime/backend.js'
import { parseOptions } from '../args.js'
import { say, type Command } from '../command.js'

const usage = `step info

Prints the platform, the WebGPU adapter (or why there is none), and which tfjs backend
'auto' selects here, with the reason each earlier candidate was passed over.`

/** The command. */
export const info: Command = {
  name: 'info',
  summary: 'show the tfjs backends and WebGPU adapter available here',
  usage,
  async run(argv) {
    const o = parseOptions(argv, {}, z.object({ help: z.boolean().optional() }))
    if (o.help) return (say(usage), 0)
    const platform = detectPlatform()
    const adapter = await probeWebGpu(platform)
    say(
      `platform: ${platform} (candidates in auto mode: ${candidateOrder(platform).join(' -> ')}; known: ${BACKEND_NAMES.join(', ')})`,
    )
    say(
      `webgpu adapter: ${typeof adapter === 'string' ? `none (${adapter})` : formatAdapter(adapter)}`,
    )
    const chosen = await initBackend({ prefer: 'auto' })
    for (const a of chosen.attempts)
      say(`  ${a.backend}: ${a.ok ? 'selected' : (a.reason ?? 'failed')}`)
    say(`auto selects: ${describeBackend(chosen)}`)
    if (chosen.backend !== 'wasm') {
      const wasm = await initBackend({ prefer: 'wasm' })
      say(`wasm: ${describeBackend(wasm)}`)
    }
    return 0
  },
}
