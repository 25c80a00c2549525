/**
 * Scale-out on PyTorch: `torchrun` with 2 CPU processes (DistributedDataParallel over gloo) trains
 * the twin for a few steps on the synthetic data (bench/peers/twin_train_ddp.py; the loss falls),
 * and its checkpoint comes back with `step import`: our networks and `step generate` give the
 * twin's output (within 1e-4 in float; the same 8-bit pixels, within 1 level, in the PNG).
 */
import * as tf from '@tensorflow/tfjs'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../src/core/image/decode.js'
import { encodePng } from '../src/core/image/encode.js'
import { imagesToBatch } from '../src/core/image/tensor.js'
import type { RgbImage } from '../src/core/image/types.js'
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from '../src/core/safetensors.js'
import { loadCheckpoint } from '../src/checkpoint/folder-store.node.js'
import { encode, generate } from '../src/inference/model.js'
import { disposeModel, modelFromCheckpoint } from '../src/inference/load.js'
import { step } from './helpers/step-cli.js'
import { PEERS, PYTHON, torchSkipReason } from './helpers/torch-peer.js'

const skip = torchSkipReason()
const SIZE = 64
const STEPS = 8
let dir = ''

beforeAll(async () => {
  await tf.setBackend('cpu')
  dir = mkdtempSync(join(tmpdir(), 'step-torchrun-'))
})
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** The left (A) or right (B) half of an A|B image. */
function half(image: RgbImage, right: boolean): RgbImage {
  const w = image.width / 2
  const data = new Uint8Array(w * image.height * 3)
  for (let y = 0; y < image.height; y++)
    data.set(
      image.data.subarray(
        (y * image.width + (right ? w : 0)) * 3,
        (y * image.width + (right ? w : 0) + w) * 3,
      ),
      y * w * 3,
    )
  return { width: w, height: image.height, data }
}

/** Images as one NCHW tensor in [-1, 1], as the twin reads them. */
async function nchw(images: RgbImage[]): Promise<SafeTensor> {
  const t = tf.tidy(() => tf.transpose(imagesToBatch(images), [0, 3, 1, 2]))
  const out = { shape: t.shape, data: Float32Array.from(await t.data()) }
  t.dispose()
  return out
}

describe.skipIf(skip !== '')(`torchrun: the twin trained on 2 processes comes back ${skip}`, () => {
  it('trains with falling loss; step import + step generate reproduce the twin', async () => {
    const data = join(dir, 'synth')
    let r = step(
      'dataset',
      'synth',
      '--out',
      data,
      '--count',
      '16',
      '--size',
      String(SIZE),
      '--seed',
      '2',
    )
    expect(r.code, r.stderr).toBe(0)
    const pairs = readdirSync(data)
      .filter((f) => /^\d+\.png$/.test(f))
      .map((f) => decodeImage(new Uint8Array(readFileSync(join(data, f)))))
    expect(pairs).toHaveLength(16)
    const as = pairs.map((p) => half(p, false))
    const bs = pairs.map((p) => half(p, true))
    const pairsFile = join(dir, 'pairs.safetensors')
    writeFileSync(
      pairsFile,
      encodeSafetensors(
        new Map([
          ['a', await nchw(as)],
          ['b', await nchw(bs)],
        ]),
      ),
    )
    const content = as[0] as RgbImage
    const style = bs[5] as RgbImage
    const probe = join(dir, 'probe.safetensors')
    writeFileSync(
      probe,
      encodeSafetensors(
        new Map([
          ['content', await nchw([content])],
          ['style', await nchw([style])],
        ]),
      ),
    )

    const weights = join(dir, 'twin.safetensors')
    const probeOut = join(dir, 'probe-out.safetensors')
    const run = spawnSync(
      PYTHON,
      [
        '-m',
        'torch.distributed.run',
        '--nproc_per_node',
        '2',
        '--master_port',
        '29533',
        // Debian's torch 1.13 on Python 3.11 cannot parse these two's default '0' (nor '3')
        '--redirects',
        '2',
        '--tee',
        '2',
        '--log_dir',
        join(dir, 'logs'),
        join(PEERS, 'twin_train_ddp.py'),
        '--data',
        pairsFile,
        '--out',
        weights,
        '--steps',
        String(STEPS),
        '--batch',
        '4',
        '--probe',
        probe,
        '--probe-out',
        probeOut,
        '--log',
        join(dir, 'loss.jsonl'),
      ],
      { encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1' } },
    )
    expect(run.status, run.stderr).toBe(0)
    const rows = readFileSync(join(dir, 'loss.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; rec: number })
    expect(rows.map((x) => x.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1))
    const rec = rows.map((x) => x.rec)
    console.log('torchrun reconstruction loss per step:', rec.map((v) => v.toFixed(4)).join(' '))
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length
    expect(mean(rec.slice(-2))).toBeLessThan(0.9 * mean(rec.slice(0, 2)))

    const model = join(dir, 'imported')
    r = step('import', weights, '--out', model, '--backend', 'cpu')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      /imported encoder, generator, discriminator \(generator stage, 64 px\)/,
    )
    const twin = decodeSafetensors(new Uint8Array(readFileSync(probeOut)), probeOut).tensors.get(
      'image',
    )
    const ours = await modelFromCheckpoint(await loadCheckpoint(model), model)
    const out = tf.tidy(() =>
      tf.transpose(
        generate(ours, imagesToBatch([content]), encode(ours, imagesToBatch([style]))),
        [0, 3, 1, 2],
      ),
    )
    const values = Float32Array.from(await out.data())
    out.dispose()
    disposeModel(ours)
    expect(twin?.shape).toEqual([1, 3, SIZE, SIZE])
    const diff = values.reduce((m, v, i) => Math.max(m, Math.abs(v - (twin?.data[i] ?? NaN))), 0)
    console.log('twin (torchrun) -> step import -> ours: max |diff|', diff)
    expect(diff).toBeLessThan(1e-4)

    // the CLI: step generate on the same two images writes the twin's image in 8 bits
    writeFileSync(join(dir, 'a.png'), encodePng(content))
    writeFileSync(join(dir, 's.png'), encodePng(style))
    const png = join(dir, 'g.png')
    r = step(
      'generate',
      '--model',
      model,
      '--input',
      join(dir, 'a.png'),
      '--style',
      join(dir, 's.png'),
      '--out',
      png,
      '--backend',
      'cpu',
    )
    expect(r.code, r.stderr).toBe(0)
    const image = decodeImage(new Uint8Array(readFileSync(png)))
    let worst = 0
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++)
        for (let c = 0; c < 3; c++) {
          const t = twin?.data[c * SIZE * SIZE + y * SIZE + x] ?? NaN
          const level = Math.round((t + 1) * 127.5)
          worst = Math.max(worst, Math.abs(level - (image.data[(y * SIZE + x) * 3 + c] ?? 0)))
        }
    expect(worst).toBeLessThanOrEqual(1)
  }, 300_000)
})
