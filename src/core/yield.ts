/**
 * Lets queued events (a Cancel message to a worker, a SIGINT, a UI redraw) run between steps of
 * long work. Awaiting only promises that are already resolved never gives the event loop a turn,
 * so a training loop on wasm or cpu would starve its own cancellation without this.
 */

/** Resolves on the next macrotask (MessageChannel where available: no 4 ms timer clamp). */
export function yieldToEvents(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0))
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}
