import * as tf from '@tensorflow/tfjs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fitImage } from '../../core/image/resize.js'
import { imagesToBatch } from '../../core/image/tensor.js'
import { folderStore } from '../../data/folder-store.node.js'
import { openPairedDataset, type PairedDataset } from '../../data/paired.js'
import { writeSynthDataset } from '../../data/synth/write.node.js'
import type { SynthManifest } from '../../data/synth/manifest.js'
import { stepModelConfig } from '../../models/configs.js'
import { createEncoder } from '../../models/encoder.js'
import { createRandomExtractor } from '../../models/features/random.js'
import type { FeatureExtractor } from '../../models/features/types.js'
import { createGenerator } from '../../models/generator.js'
import { createMapper } from '../../models/mapper.js'
import { preparedCount } from '../../models/prepared.js'
import { evaluateModel, type EvaluateOptions, type RestyleSample } from './evaluate.js'
import type { StepModel } from '../../inference/model.js'
import { psnr } from './metrics.js'
import { styleFidelity } from './style-fidelity.js'

const SIZE = 16
const config = stepModelConfig('small', {
  encoder: { width: 4 },
  generator: { width: 8, encoderResBlocks: 1, decoderResBlocks: 1 },
  mapper: { hidden: 16, layers: 2 },
})
let model: StepModel
let extractor: FeatureExtractor
let data: PairedDataset
let restyled: PairedDataset
let clusters: Map<string, number>
let restyleSamples: RestyleSample[]

beforeAll(async () => {
  await tf.setBackend('cpu')
  const root = await mkdtemp(join(tmpdir(), 'step-evaluate-'))
  // 18 pairs: two chunks of INFERENCE_CHUNK (16).
  const source = await writeSynthDataset({ out: join(root, 'd'), count: 18, size: SIZE, seed: 3 })
  const restyle = (await writeSynthDataset({
    out: join(root, 'r'),
    count: 3,
    size: SIZE,
    seed: 4,
    restyleOf: join(root, 'd'),
  })) as Extract<SynthManifest, { format: 'step-synth-restyle' }>
  data = await openPairedDataset(folderStore(join(root, 'd')), { valFraction: 0 })
  restyled = await openPairedDataset(folderStore(join(root, 'r')), { valFraction: 0 })
  clusters = new Map(source.samples.map((s) => [s.name, s.cluster]))
  restyleSamples = restyle.samples.map((s) => ({
    name: s.name,
    content: s.content,
    style: s.style,
  }))
  model = {
    config,
    encoder: createEncoder(config.encoder, 1),
    generator: createGenerator(config.generator, 2),
    mapper: createMapper(config.mapper, 3),
    meanCode: null,
  }
  extractor = createRandomExtractor({ inputSize: SIZE })
})
afterAll(() => {
  model.encoder.dispose()
  model.generator.dispose()
  model.mapper?.dispose()
  extractor.dispose()
})

function options(extra: Partial<EvaluateOptions> = {}): EvaluateOptions {
  return {
    model,
    dataset: data,
    names: data.split('all'),
    size: SIZE,
    extractor,
    samples: 3,
    seed: 5,
    clusters,
    restyle: { dataset: restyled, samples: restyleSamples },
    coverageSamples: 20,
    ...extra,
  }
}

describe('evaluateModel', () => {
  it('reports every figure, finite, deterministic, leaking no tensor', async () => {
    const before = tf.memory().numTensors
    const phases = new Set<string>()
    const r = await evaluateModel(options({ onProgress: (p) => phases.add(p) }))
    // held afterwards: only the prepared inference weights of E and G (models/prepared.ts)
    const held = preparedCount([...model.encoder.params.list(), ...model.generator.params.list()])
    expect(held).toBeGreaterThan(0)
    expect(tf.memory().numTensors).toBe(before + held)
    expect([...phases]).toEqual(['reconstruction', 'transfer', 'coverage'])
    expect(r.n).toBe(18)
    expect(r.transfer_n).toBe(3)
    const numbers = [
      r.psnr,
      r.ssim,
      r.percept_random,
      r.diversity,
      r.transfer_error,
      r.ablation.z0.psnr,
      r.ablation.z0.ssim,
      r.ablation.z0.transfer_error,
      r.ablation.zrandom.psnr,
      r.ablation.zrandom.ssim,
      r.ablation.zrandom.transfer_error,
      r.ablation.mapper?.psnr,
      r.ablation.mapper?.ssim,
    ]
    for (const v of numbers) expect(Number.isFinite(v)).toBe(true)
    for (const v of [r.transfer_error, r.ablation.z0.transfer_error]) {
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThanOrEqual(1)
    }
    expect(r.ssim).toBeLessThanOrEqual(1)
    expect(r.diversity).toBeGreaterThanOrEqual(0)
    const cov = r.mapper_coverage
    expect(cov?.samples).toBe(20)
    expect(cov?.clusters).toBe(new Set(clusters.values()).size)
    expect(cov?.sample_clusters).toHaveLength(20)
    expect((cov?.hit ?? 0) + (cov?.missed.length ?? 0)).toBe(cov?.clusters)
    expect(r).toMatchObject({ samples: 3, seed: 5, features: 'random', size: SIZE })
    expect(r.psnr_over_z0).toBeCloseTo(r.psnr - r.ablation.z0.psnr, 10)
    const fid = r.style_fidelity
    expect(fid?.clusters).toBe(new Set(clusters.values()).size)
    for (const share of [fid?.encoded.own_cluster, fid?.reencoded.own_cluster]) {
      expect(share).toBeGreaterThanOrEqual(0)
      expect(share).toBeLessThanOrEqual(1)
    }
    expect(await evaluateModel(options())).toEqual(r)
  })

  it('computes the reconstruction PSNR of G(A, E(B)) over all pairs, across chunks', async () => {
    const r = await evaluateModel(options({ restyle: null, clusters: null }))
    const pairs = await Promise.all(data.split('all').map((n) => data.load(n)))
    const mean = tf.tidy(() => {
      const a = imagesToBatch(pairs.map((p) => fitImage(p.input, SIZE, SIZE)))
      const b = imagesToBatch(pairs.map((p) => fitImage(p.output, SIZE, SIZE)))
      return tf.mean(psnr(model.generator.apply(a, model.encoder.apply(b)), b))
    })
    const expected = (await mean.data())[0]
    mean.dispose()
    expect(r.psnr).toBeCloseTo(expected ?? NaN, 3)
    expect(r.transfer_error).toBeNull()
    expect(r.ablation.z0.transfer_error).toBeNull()
    expect(r.mapper_coverage).toBeNull()
    expect(r.style_fidelity).toBeNull()
  })

  it('reports style fidelity: E(B) and E(G(A, E(B))) against the cluster means of E(B)', async () => {
    const names = data.split('all')
    const r = await evaluateModel(
      options({ restyle: null, clusterFactors: { parity: (c: number) => c % 2 } }),
    )
    const pairs = await Promise.all(names.map((n) => data.load(n)))
    const [codes, re] = tf.tidy(() => {
      const a = imagesToBatch(pairs.map((p) => fitImage(p.input, SIZE, SIZE)))
      const b = imagesToBatch(pairs.map((p) => fitImage(p.output, SIZE, SIZE)))
      const z = model.encoder.apply(b)
      return [z, model.encoder.apply(model.generator.apply(a, z))]
    })
    const labels = names.map((n) => clusters.get(n) ?? -1)
    const zDim = model.encoder.config.zDim
    const expected = await styleFidelity(
      (await codes.data()) as Float32Array,
      (await re.data()) as Float32Array,
      labels,
      zDim,
      { parity: (c) => c % 2 },
    )
    tf.dispose([codes, re])
    expect(r.style_fidelity).toEqual(expected)
    expect(Object.keys(r.style_fidelity?.reencoded.factors ?? {})).toEqual(['parity'])
  })

  it('gives null mapper figures without a mapper', async () => {
    const r = await evaluateModel(
      options({ model: { ...model, mapper: null }, names: data.split('all').slice(0, 4) }),
    )
    expect(r.n).toBe(4)
    expect(r.diversity).toBeNull()
    expect(r.ablation.mapper).toBeNull()
    expect(r.mapper_coverage).toBeNull()
    expect(r.samples).toBe(0)
    expect(Number.isFinite(r.transfer_error)).toBe(true)
  })

  it('names a restyle sample whose source is not in the dataset', async () => {
    const bad = [{ name: '00000.png', content: '99999.png', style: '00001.png' }]
    await expect(
      evaluateModel(options({ restyle: { dataset: restyled, samples: bad } })),
    ).rejects.toThrow(/sample 00000\.png: content source 99999\.png is not a pair of/)
  })

  it('rejects fewer than 2 samples per A', async () => {
    await expect(evaluateModel(options({ samples: 1 }))).rejects.toThrow(
      'evaluate: samples must be an integer >= 2, got 1',
    )
  })
})
