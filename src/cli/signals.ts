/** Ctrl-C handling for long commands: the first SIGINT asks the work to stop cleanly (it saves a
 *  checkpoint), a second one exits at once. */
import { warn } from './command.js'

/** An AbortSignal fired by the first SIGINT; call the returned `release` when the work is done. */
export function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController()
  const onInt = (): void => {
    if (controller.signal.aborted) process.exit(130)
    warn(
      'interrupted: finishing the current step and saving a checkpoint (Ctrl-C again to quit now)',
    )
    controller.abort()
  }
  process.on('SIGINT', onInt)
  return { signal: controller.signal, release: () => process.off('SIGINT', onInt) }
}
