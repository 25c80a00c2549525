/**
 * Progress for long CLI work: a redrawn bar on a TTY, plain lines otherwise (logs, CI), at most
 * one line per 10% or per 5 seconds so logs stay short.
 */

/** Reports progress of one task. */
export interface Progress {
  update(done: number, note?: string): void
  finish(note?: string): void
}

/** A progress reporter writing to `stream` (stderr by default). */
export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const start = Date.now()
  const tty = stream.isTTY === true
  let lastLine = 0
  let lastDecile = -1
  // the first report may be mid-way (a resumed run): rates count from there
  let first: { done: number; at: number } | null = null
  const line = (done: number, note?: string): string => {
    first ??= { done: Math.max(0, done - 1), at: start }
    const elapsed = (Date.now() - first.at) / 1000
    const rate = (done - first.done) / Math.max(elapsed, 1e-3)
    const eta = rate > 0 && done < total ? ` eta ${Math.ceil((total - done) / rate)}s` : ''
    return `${label} ${done}/${total} (${rate.toFixed(1)}/s${eta})${note ? ` ${note}` : ''}`
  }
  return {
    update(done, note) {
      if (tty) {
        const width = 24
        const filled = Math.round((done / Math.max(total, 1)) * width)
        stream.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line(done, note)}\x1b[K`,
        )
        return
      }
      const decile = Math.floor((done / Math.max(total, 1)) * 10)
      if (decile > lastDecile || Date.now() - lastLine > 5000) {
        lastDecile = decile
        lastLine = Date.now()
        stream.write(`${line(done, note)}\n`)
      }
    },
    finish(note) {
      const secs = ((Date.now() - start) / 1000).toFixed(1)
      stream.write(
        `${tty ? '\r' : ''}${label} done: ${total} in ${secs}s${note ? `, ${note}` : ''}${tty ? '\x1b[K' : ''}\n`,
      )
    },
  }
}
