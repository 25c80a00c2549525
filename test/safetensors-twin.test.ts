/**
 * Weights that travel: our E, G, D and M -> `step export --format safetensors` -> the PyTorch
 * twin (bench/peers/step_twin.py) gives the same outputs within 1e-4; and a twin's weights ->
 * `step import` -> our networks give the twin's outputs within 1e-4.
 */
import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../src/core/rng.js'
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from '../src/core/safetensors.js'
import { SMALL, type StepModelConfig } from '../src/models/configs.js'
import { createDiscriminator, type Discriminator } from '../src/models/discriminator.js'
import { createEncoder, type StyleEncoder } from '../src/models/encoder.js'
import { createGenerator, type Generator } from '../src/models/generator.js'
import { createMapper, type Mapper } from '../src/models/mapper.js'
import type { Params } from '../src/models/params.js'
import { loadCheckpoint, saveCheckpoint } from '../src/checkpoint/folder-store.node.js'
import { assignGroup } from '../src/checkpoint/loaded.js'
import { step } from './helpers/step-cli.js'
import { runPeer, torchSkipReason } from './helpers/torch-peer.js'

const skip = torchSkipReason()
const SIZE = 64
const BATCH = 4
const TOL = 1e-4

interface Nets {
  encoder: StyleEncoder
  generator: Generator
  discriminator: Discriminator
  mapper: Mapper
}

function buildNets(config: StepModelConfig, seed: number): Nets {
  return {
    encoder: createEncoder(config.encoder, seed),
    generator: createGenerator(config.generator, seed + 1),
    discriminator: createDiscriminator(config.discriminator, seed + 2),
    mapper: createMapper(config.mapper, seed + 3),
  }
}

const disposeNets = (n: Nets) =>
  Object.values(n).forEach((net: { dispose(): void }) => net.dispose())

/** Random values in every bias too (they start at 0), so the round trip covers them. */
function randomiseBiases(params: Params, seed: number) {
  const rng = createRng(seed)
  for (const [name, v] of params.entries())
    if (name.endsWith('/b'))
      v.assign(
        tf.tensor(
          v.dataSync().map(() => 0.1 * rng.normal()),
          v.shape,
        ),
      )
}

const nchw = (t: tf.Tensor4D) => tf.transpose(t, [0, 3, 1, 2])
const nhwc = (t: tf.Tensor): tf.Tensor4D => tf.transpose(t as tf.Tensor4D, [0, 2, 3, 1])

async function asSafe(t: tf.Tensor): Promise<SafeTensor> {
  return { shape: t.shape, data: Float32Array.from(await t.data()) }
}

/** Our four networks on the shared inputs, in the twin's layout (NCHW). */
function ourOutputs(n: Nets, inputs: Record<string, tf.Tensor>) {
  const content = nhwc(inputs.content as tf.Tensor)
  const style = nhwc(inputs.style as tf.Tensor)
  const z = n.encoder.apply(style)
  const image = n.generator.apply(content, z)
  const maps = n.discriminator.apply(image, content)
  const out: Record<string, tf.Tensor> = {
    z,
    image: nchw(image),
    mapped: n.mapper.apply(inputs.noise as tf.Tensor2D),
  }
  maps.forEach((m, i) => (out[`d${i + 1}`] = nchw(m)))
  tf.dispose([content, style, image, ...maps])
  return out
}

/** Largest |a - b| per output name (the twin's file against ours). */
async function diffs(ours: Record<string, tf.Tensor>, file: string) {
  const theirs = decodeSafetensors(new Uint8Array(readFileSync(file)), file).tensors
  const result: Record<string, number> = {}
  for (const [name, t] of Object.entries(ours)) {
    const other = theirs.get(name)
    expect(other?.shape, name).toEqual(t.shape)
    const a = Float32Array.from(await t.data())
    result[name] = a.reduce((m, v, i) => Math.max(m, Math.abs(v - (other?.data[i] ?? NaN))), 0)
  }
  return result
}

let dir = ''
let inputsFile = ''
let inputs: Record<string, tf.Tensor> = {}

beforeAll(async () => {
  await tf.setBackend('cpu')
  dir = mkdtempSync(join(tmpdir(), 'step-twin-'))
  const rng = createRng(11)
  const img = () =>
    tf.tensor4d(
      Array.from({ length: BATCH * 3 * SIZE * SIZE }, () => rng.next() * 2 - 1),
      [BATCH, 3, SIZE, SIZE],
    )
  inputs = {
    content: img(),
    style: img(),
    noise: tf.tensor2d(
      Array.from({ length: BATCH * 8 }, () => rng.normal()),
      [BATCH, 8],
    ),
  }
  const tensors = new Map<string, SafeTensor>()
  for (const [k, t] of Object.entries(inputs)) tensors.set(k, await asSafe(t))
  inputsFile = join(dir, 'inputs.safetensors')
  writeFileSync(inputsFile, encodeSafetensors(tensors))
})

afterAll(() => {
  tf.dispose(Object.values(inputs))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(skip !== '')(`safetensors round trip with the PyTorch twin ${skip}`, () => {
  it('ours -> step export --format safetensors -> twin: same outputs within 1e-4', async () => {
    const nets = buildNets(SMALL, 5)
    Object.values(nets).forEach((n: { params: Params }, i) => randomiseBiases(n.params, 40 + i))
    const model = join(dir, 'ours')
    const group = (p: Params) => p.entries().map(([name, tensor]) => ({ name, tensor }))
    const mean = tf.tensor1d([0.5, -0.25, 0, 1, 2, -1, 0.125, 3])
    await saveCheckpoint(
      model,
      {
        stage: 'mapper',
        step: 7,
        steps: 7,
        seed: 5,
        config: SMALL,
        dataset: { label: 'test', fingerprint: 'x', size: SIZE, count: 0 },
        extractor: null,
        training: {},
      },
      {
        encoder: group(nets.encoder.params),
        generator: group(nets.generator.params),
        discriminator: group(nets.discriminator.params),
        mapper: group(nets.mapper.params),
        style: [{ name: 'meanCode', tensor: mean }],
      },
    )
    const file = join(dir, 'ours.safetensors')
    const r = step(
      'export',
      '--model',
      model,
      '--format',
      'safetensors',
      '--out',
      file,
      '--backend',
      'cpu',
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/exported encoder, generator, discriminator, mapper/)
    const meta = decodeSafetensors(new Uint8Array(readFileSync(file)), file)
    expect(meta.metadata.size).toBe(String(SIZE))
    expect(Array.from(meta.tensors.get('mapper.mean_code')?.data ?? [])).toEqual(
      Array.from(await mean.data()),
    )
    expect(meta.tensors.get('generator.up1.conv1.weight')?.shape).toEqual([32, 64 + 64 + 8, 3, 3])
    const outFile = join(dir, 'ours-out.safetensors')
    runPeer('step_twin.py', [
      'forward',
      '--weights',
      file,
      '--inputs',
      inputsFile,
      '--out',
      outFile,
    ])
    const ours = ourOutputs(nets, inputs)
    const d = await diffs(ours, outFile)
    console.log('TS -> twin max |diff|:', JSON.stringify(d))
    for (const [name, v] of Object.entries(d)) expect(v, name).toBeLessThan(TOL)
    tf.dispose([mean, ...Object.values(ours)])
    disposeNets(nets)
  }, 300_000)

  it('twin -> safetensors -> step import -> ours: same outputs within 1e-4', async () => {
    const file = join(dir, 'twin.safetensors')
    runPeer('step_twin.py', [
      'init',
      '--config',
      'small',
      '--seed',
      '3',
      '--size',
      String(SIZE),
      '--out',
      file,
    ])
    const outFile = join(dir, 'twin-out.safetensors')
    runPeer('step_twin.py', [
      'forward',
      '--weights',
      file,
      '--inputs',
      inputsFile,
      '--out',
      outFile,
    ])
    const model = join(dir, 'imported')
    const r = step('import', file, '--out', model, '--backend', 'cpu')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      /imported encoder, generator, discriminator, mapper \(mapper stage, 64 px\)/,
    )
    const loaded = await loadCheckpoint(model)
    const nets = buildNets(SMALL, 0)
    assignGroup(nets.encoder.params, loaded, 'encoder', model)
    assignGroup(nets.generator.params, loaded, 'generator', model)
    assignGroup(nets.discriminator.params, loaded, 'discriminator', model)
    assignGroup(nets.mapper.params, loaded, 'mapper', model)
    const ours = ourOutputs(nets, inputs)
    const d = await diffs(ours, outFile)
    console.log('twin -> TS max |diff|:', JSON.stringify(d))
    for (const [name, v] of Object.entries(d)) expect(v, name).toBeLessThan(TOL)
    // the imported folder generates through the CLI, with the twin's mean code
    const mean = loaded.groups.style?.[0]?.tensor
    expect(mean?.shape).toEqual([8])
    for (const g of Object.values(loaded.groups)) for (const t of g) t.tensor.dispose()
    tf.dispose(Object.values(ours))
    disposeNets(nets)
  }, 300_000)
})

describe('step import: bad files are named', () => {
  it('refuses a tensor of no network and a shape that does not fit', () => {
    const bad = join(dir, 'bad.safetensors')
    const one = (name: string, shape: number[]) =>
      new Map([[name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }]])
    writeFileSync(
      bad,
      encodeSafetensors(one('vgg.conv1.weight', [2, 2]), {
        config: JSON.stringify(SMALL),
        size: '64',
      }),
    )
    let r = step('import', bad, '--out', join(dir, 'bad'), '--backend', 'cpu')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/bad\.safetensors: tensor 'vgg\.conv1\.weight' belongs to none of/)
    writeFileSync(
      bad.replace('bad', 'bad2'),
      encodeSafetensors(one('encoder.stem.weight', [1, 2, 3, 4]), { size: '64' }),
    )
    r = step(
      'import',
      bad.replace('bad', 'bad2'),
      '--out',
      join(dir, 'bad2'),
      '--config',
      'small',
      '--backend',
      'cpu',
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /encoder weights do not fit the config \(parameter 'enc\/stem\/w': shape \[3, 4, 2, 1\], expected \[4, 4, 3, 12\]\)/,
    )
  }, 120_000)
})
