/**
 * The open node registry: a node type that exists only outside src/nodes (registered the way a
 * plugin registers one) loads from a preset, takes `--set`, and runs through runHeadless and the
 * executor when their registry includes it; the built-in registry refuses it, and a second
 * registration of a type id is refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../src/core/image/decode.js'
import { BUILT_IN_NODES, createRegistry, defineNode, NODE_LIST } from '../src/nodes/index.js'
import { initBackend } from '../src/runtime/backend.js'
import { folderEnv } from '../src/runtime/env.node.js'
import { GraphExecutor } from '../src/runtime/executor.js'
import { runHeadless } from '../src/runtime/headless.node.js'
import { applySet, buildPreset, loadPreset } from '../src/runtime/preset.js'

/** A third-party node: mixes an image with its negative, (1 - 2 amount) * x. */
const invert = defineNode({
  type: 'acme/invert',
  title: 'Acme Invert',
  category: 'Acme',
  description: 'Third-party test node: amount 1 gives the negative image.',
  inputs: { image: { type: 'Image' } },
  outputs: { image: 'Image' },
  widgets: { amount: { kind: 'float', default: 1, min: 0, max: 1, step: 0.1 } },
  execute({ image }, { amount }) {
    return Promise.resolve({ image: tf.tidy(() => tf.mul(image, 1 - 2 * amount)) })
  },
})

const CONTENT = resolve('examples/images/content-1.png')
let out: string

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' })
  out = mkdtempSync(join(tmpdir(), 'step-registry-'))
})
afterAll(() => rmSync(out, { recursive: true, force: true }))

const pixels = (file: string) =>
  decodeImage(new Uint8Array(readFileSync(file)), { where: file }).data

/** Load Image -> Acme Invert -> Save Image, with its node types from `lookup`. */
function presetWith(lookup: Parameters<typeof buildPreset>[2], prefix: string) {
  return buildPreset(
    [
      { id: 1, type: 'step/load-image', widgets: { path: CONTENT } },
      { id: 2, type: 'acme/invert', inputs: { image: [1, 'image'] } },
      { id: 3, type: 'step/save-image', widgets: { prefix }, inputs: { images: [2, 'image'] } },
    ],
    {},
    lookup,
  )
}

describe('open node registry', () => {
  it('refuses a second registration of a type id, and any on the built-in registry', () => {
    const registry = createRegistry()
    registry.register(invert)
    expect(() => registry.register(invert)).toThrow(/'acme\/invert' is registered already/)
    expect(() => registry.register(NODE_LIST[0] as (typeof NODE_LIST)[number])).toThrow(
      /'step\/load-image' is registered already/,
    )
    expect(() => BUILT_IN_NODES.register(invert)).toThrow(/built-in registry is frozen/)
    expect(registry.list().map((n) => n.type)).toEqual([
      ...NODE_LIST.map((n) => n.type),
      'acme/invert',
    ])
    expect(registry.get('constructor')).toBeUndefined()
    expect(BUILT_IN_NODES.get('acme/invert')).toBeUndefined()
  })

  it('runs a registered third-party node headless, with --set on its widget', async () => {
    const registry = createRegistry()
    registry.register(invert)
    const source = join(out, 'acme.json')
    writeFileSync(source, JSON.stringify(presetWith(registry.get, 'acme')))

    // Without the registry the node is reported unknown and nothing runs.
    await expect(
      runHeadless({ source, outDir: join(out, 'builtin'), cacheDir: null }),
    ).rejects.toThrow(/acme\/invert/)

    const { result, loaded } = await runHeadless({
      source,
      outDir: join(out, 'plugin'),
      cacheDir: null,
      registry,
      sets: ['Acme Invert.amount=1'],
    })
    expect(loaded.problems).toEqual([])
    expect(result.status).toBe('done')
    expect(result.executed).toEqual([1, 2, 3])
    const input = pixels(CONTENT)
    const output = pixels(join(out, 'plugin', 'acme.png'))
    expect(output.length).toBe(input.length)
    let worst = 0
    for (let i = 0; i < input.length; i++)
      worst = Math.max(worst, Math.abs((output[i] ?? 0) - (255 - (input[i] ?? 0))))
    expect(worst).toBeLessThanOrEqual(1)
  })

  it('loads, sets and executes it in the executor given the registry', async () => {
    const registry = createRegistry()
    registry.register(invert)
    const preset = applySet(
      presetWith(registry.get, 'half'),
      'Acme Invert.amount=0.5',
      registry.get,
    )
    expect(() => applySet(presetWith(registry.get, 'x'), '#2.amount=0.5')).toThrow(
      /no widget 'amount'/,
    )
    const loaded = loadPreset(preset, 'acme preset', registry.get)
    expect(loaded.problems).toEqual([])
    expect(loadPreset(preset, 'acme preset').problems.map((p) => p.kind)).toEqual(['unknown-type'])
    const env = folderEnv({
      inputDir: out,
      outputDir: join(out, 'executor'),
      readRoots: [process.cwd()],
    })
    const executor = new GraphExecutor({ env, lookup: registry.get })
    const result = await executor.run(loaded.graph)
    expect(result.status).toBe('done')
    // amount 0.5 maps every pixel to 0 in [-1, 1]: mid grey, 127 or 128
    const mid = pixels(join(out, 'executor', 'half.png'))
    expect(Math.min(...mid)).toBeGreaterThanOrEqual(127)
    expect(Math.max(...mid)).toBeLessThanOrEqual(128)
  })
})
