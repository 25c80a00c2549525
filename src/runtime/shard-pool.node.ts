/**
 * Node's ShardPool (train/gan/shards.ts): worker threads running shard-worker.node.ts, each with a
 * single-threaded wasm backend (docs/decisions/0018).
 */
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { StepError } from '../core/errors.js'
import type { ShardJob, ShardPool, ShardResult, ShardSpec } from '../train/gan/shards.js'

/** What the pool sends a worker. */
export interface ShardRequest {
  readonly id: number
  readonly job: ShardJob
}

/** What a worker answers: ready after start-up, then one result or error per request. */
export type ShardReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly result: ShardResult }
  | { readonly type: 'error'; readonly id: number; readonly message: string }

/**
 * The worker for the script beside this module. From TypeScript sources (tsx, vitest) the worker
 * first registers tsx's loader, then imports the script; the built package runs the .js directly.
 */
function spawnWorker(spec: ShardSpec): Worker {
  const here = fileURLToPath(import.meta.url)
  if (!here.endsWith('.ts'))
    return new Worker(join(dirname(here), 'shard-worker.node.js'), { workerData: spec })
  const script = pathToFileURL(join(dirname(here), 'shard-worker.node.ts')).href
  // tsx/esm/api's ESM build (require.resolve finds its CommonJS twin beside it) registers tsx
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api')
  const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href
  const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}) })`
  return new Worker(boot, { eval: true, workerData: spec })
}

/** One worker and its requests in flight. */
class ShardWorker {
  private readonly pending = new Map<
    number,
    { resolve: (r: ShardResult) => void; reject: (e: Error) => void }
  >()
  private nextId = 0
  private failure: Error | null = null
  readonly ready: Promise<void>

  constructor(
    private readonly worker: Worker,
    private readonly label: string,
  ) {
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (reply: ShardReply) => {
        if (reply.type === 'ready') return resolve()
        if (reply.type === 'error' && reply.id === -1)
          return reject(this.fail(`could not start: ${reply.message}`))
        const entry = this.pending.get(reply.id)
        this.pending.delete(reply.id)
        if (reply.type === 'result') entry?.resolve(reply.result)
        else entry?.reject(new StepError('train/shard', reply.message, this.label))
      })
      const stop = (why: string) => {
        const err = this.fail(why)
        reject(err)
        for (const p of this.pending.values()) p.reject(err)
        this.pending.clear()
      }
      worker.on('error', (err) => stop(`failed: ${err.message}`))
      worker.on('exit', (code) => stop(`exited (code ${code})`))
    })
    this.ready.catch(() => undefined) // awaited by startShardPool
  }

  private fail(why: string): Error {
    this.failure ??= new StepError('train/shard', why, this.label)
    return this.failure
  }

  compute(job: ShardJob): Promise<ShardResult> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      // the shard's images are its own copies: moved, not cloned; the weights go to every worker
      this.worker.postMessage({ id, job } satisfies ShardRequest, [
        job.input.buffer as ArrayBuffer,
        job.output.buffer as ArrayBuffer,
      ])
    })
  }

  async terminate(): Promise<void> {
    this.failure ??= new StepError('train/shard', 'stopped', this.label)
    await this.worker.terminate()
  }
}

/**
 * Starts `size` shard workers for `spec` and waits until each has its backend, networks and
 * features; a worker that fails to start ends them all and rejects with its reason.
 */
export async function startShardPool(size: number, spec: ShardSpec): Promise<ShardPool> {
  if (!(Number.isInteger(size) && size >= 1))
    throw new RangeError(`startShardPool: size must be an integer >= 1, got ${size}`)
  const workers = Array.from(
    { length: size },
    (_, i) => new ShardWorker(spawnWorker(spec), `shard worker ${i + 1}`),
  )
  const stop = () => Promise.all(workers.map((w) => w.terminate())).then(() => undefined)
  try {
    await Promise.all(workers.map((w) => w.ready))
  } catch (err) {
    await stop()
    throw err
  }
  return {
    size,
    compute: (worker, job) => {
      const w = workers[worker]
      if (!w) return Promise.reject(new RangeError(`no shard worker ${worker} (pool of ${size})`))
      return w.compute(job)
    },
    dispose: stop,
  }
}
