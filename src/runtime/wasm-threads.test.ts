import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { maxAbsDiff } from '../../test/helpers/max-diff.js'
import { BackendError } from '../core/errors.js'
import { SMALL } from '../models/configs.js'
import { createDiscriminator } from '../models/discriminator.js'
import { createEncoder } from '../models/encoder.js'
import { loadFeatureExtractor } from '../models/features/index.js'
import { createGenerator } from '../models/generator.js'
import type { GanLosses } from '../train/gan/gradients.js'
import { GanStep } from '../train/gan/step.js'
import { describeBackend, initBackend, setDefaultThreads } from './backend.js'
import { MAX_WASM_THREADS, parseThreads, settleWithin } from './wasm-threads.js'

const MAIN = join(import.meta.dirname, '../cli/main.ts')

/** One conv layer's output on fixed seeded inputs, read back (a switch drops the backend). */
async function convOutput(): Promise<Float32Array> {
  const x = tf.randomNormal<tf.Rank.R4>([2, 32, 32, 16], 0, 1, 'float32', 1)
  const w = tf.randomNormal<tf.Rank.R4>([3, 3, 16, 32], 0, 1, 'float32', 2)
  const y = tf.conv2d(x, w, 1, 'same')
  const values = (await y.data()) as Float32Array
  tf.dispose([x, w, y])
  return values
}

/** Losses of two stage-2 steps of the small networks on random data (random features). */
async function twoSteps(): Promise<GanLosses[]> {
  const extractor = await loadFeatureExtractor('random', { seed: 4 })
  const pair = {
    input: tf.randomUniform<tf.Rank.R4>([4, 64, 64, 3], -1, 1, 'float32', 5),
    output: tf.randomUniform<tf.Rank.R4>([4, 64, 64, 3], -1, 1, 'float32', 6),
  }
  const nets = {
    encoder: createEncoder(SMALL.encoder, 1),
    generator: createGenerator(SMALL.generator, 2),
    discriminator: createDiscriminator(SMALL.discriminator, 3),
  }
  const gan = new GanStep(nets, extractor, {
    trainEncoder: false,
    adam: { lr: 1e-3, beta1: 0, beta2: 0.99 },
  })
  const out = [(await gan.run(pair, 1e-3)).losses, (await gan.run(pair, 1e-3)).losses]
  gan.dispose()
  extractor.dispose()
  tf.dispose([pair.input, pair.output])
  for (const n of Object.values(nets)) n.dispose()
  return out
}

describe('wasm threads in Node', () => {
  afterAll(() => setDefaultThreads(undefined))

  it('starts the threaded build with the requested pool, beyond tfjs cap of cores / 2', async () => {
    const info = await initBackend({ prefer: 'wasm', threads: 2 })
    expect(info.threads).toEqual({ requested: 2, threads: 2 })
    expect(describeBackend(info)).toBe('wasm, 2 threads')
    const one = await initBackend({ prefer: 'wasm', threads: 1 })
    expect(one.threads).toEqual({ requested: 1, threads: 1 })
  })

  it('caps a request above the pre-spawned pool and says so', async () => {
    const info = await initBackend({ prefer: 'wasm', threads: 20 })
    expect(info.threads?.threads).toBe(MAX_WASM_THREADS)
    expect(info.threads?.note).toMatch(/at most 8 threads/)
    await initBackend({ prefer: 'wasm', threads: 1 })
  })

  it('gives the same conv output and the same training losses on 1 and 2 threads', async () => {
    await initBackend({ prefer: 'wasm', threads: 1 })
    const single = await convOutput()
    const lossesSingle = await twoSteps()
    await initBackend({ prefer: 'wasm', threads: 2 })
    const multi = await convOutput()
    const lossesMulti = await twoSteps()
    // XNNPACK splits the output between threads; each value is summed in the same order
    expect(await maxAbsDiff(tf.tensor(single), tf.tensor(multi))).toBe(0)
    expect(single.length).toBe(2 * 32 * 32 * 32)
    expect(lossesMulti).toEqual(lossesSingle)
    expect(lossesSingle[1]?.d_real).toBeGreaterThan(0)
  })

  it('takes STEP_THREADS and names it when it is not a positive integer', async () => {
    const saved = process.env.STEP_THREADS
    try {
      process.env.STEP_THREADS = '2'
      expect((await initBackend({ prefer: 'wasm' })).threads?.threads).toBe(2)
      process.env.STEP_THREADS = 'two'
      const err = await initBackend({ prefer: 'wasm' }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(BackendError)
      expect((err as Error).message).toBe('STEP_THREADS: expected an integer >= 1 (got "two")')
    } finally {
      if (saved === undefined) delete process.env.STEP_THREADS
      else process.env.STEP_THREADS = saved
    }
  })

  it('puts os.cpus and URL.createObjectURL back after a threaded start', async () => {
    const { default: os } = await import('node:os')
    const before = { cpus: os.cpus, createObjectURL: Reflect.get(URL, 'createObjectURL') }
    await initBackend({ prefer: 'wasm', threads: 2 })
    expect(Reflect.get(os, 'cpus')).toBe(before.cpus)
    expect(Reflect.get(URL, 'createObjectURL')).toBe(before.createObjectURL)
    await initBackend({ prefer: 'wasm', threads: 1 })
  })

  it('falls back to 1 thread, saying why, when the threaded build cannot start', async () => {
    const saved = process.env.TMPDIR
    process.env.TMPDIR = '/etc/hostname/no-such-folder' // the worker file cannot be written
    try {
      const info = await initBackend({ prefer: 'wasm', threads: 3 })
      expect(info.backend).toBe('wasm')
      expect(info.threads?.threads).toBe(1)
      expect(info.threads?.note).toMatch(
        /^the threaded build failed \(.*no-such-folder.*\); running 1 thread$/,
      )
      const y = tf.add(tf.scalar(2), tf.scalar(3))
      expect((await y.data())[0]).toBe(5)
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
  })

  it('gives up on a start that never settles (the fallback to 1 thread uses it)', async () => {
    expect(await settleWithin(new Promise<never>(() => {}), 20)).toBe('timeout')
    expect(await settleWithin(Promise.resolve(true), 1000)).toBe(true)
  })

  it('refuses a thread count that is not a positive integer, naming the option', async () => {
    for (const bad of [0, 2.5, Number.NaN, -1]) {
      const err = await initBackend({ prefer: 'wasm', threads: bad }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(BackendError)
      expect((err as Error).message).toBe(`threads: expected an integer >= 1, got ${String(bad)}`)
    }
  })

  it('parses thread counts', () => {
    expect(parseThreads('4')).toBe(4)
    expect(parseThreads('0')).toBeNull()
    expect(parseThreads('-1')).toBeNull()
    expect(parseThreads('2.5')).toBeNull()
  })

  it('step --threads N runs with N threads and the process ends by itself', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, STEP_THREADS: '' },
      })
    const two = run('info', '--threads', '2')
    expect(two.status).toBe(0)
    expect(two.stdout).toMatch(/wasm, 2 threads/)
    const bad = run('info', '--threads', 'many')
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/step info: --threads: expected an integer >= 1 \(got "many"\)/)
  })
})
