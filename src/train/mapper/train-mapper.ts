/**
 * The mapper M trained by Implicit Maximum Likelihood Estimation (docs/method.md, style sampling).
 * Every `staleness` epochs a pool of sampleFactor x N noise vectors is drawn and each code z_i is
 * paired with the noise e_i whose M(e) is nearest (exact search, mapper/imle-search.ts); in between, M
 * regresses mean_i |M(e_i + 0.01 n) - z_i|^2 (squared norm per code, mean over the batch) with
 * Adam. Every random draw is derived from (seed, epoch[, batch]) and the current pairing is saved
 * with each checkpoint, so a resumed run equals an uninterrupted one bit for bit on cpu. An epoch
 * is the mapper's step: cancel, NaN/Inf and allocation failures are handled per epoch as the other
 * stages handle them per step (train-faults.ts).
 */
import * as tf from '@tensorflow/tfjs'
import { yieldToEvents } from '../../core/yield.js'
import { InputError } from '../../core/errors.js'
import { Fingerprint } from '../../core/fingerprint.js'
import { createRng, deriveSeed } from '../../core/rng.js'
import type { StepModelConfig } from '../../models/configs.js'
import { createMapper, type Mapper } from '../../models/mapper.js'
import { Adam } from '../adam.js'
import type {
  CheckpointDraft,
  CheckpointIO,
  CheckpointManifest,
  TensorGroup,
} from '../../checkpoint/format.js'
import { resumeMapperRun, saveMapperRun } from './checkpoint.js'
import { meanCodeOf, selectTargets } from './imle-search.js'
import {
  asOutOfMemory,
  divergedLoss,
  finiteWeightsIO,
  forcedFailure,
  poisoned,
  type TrainingFaults,
} from '../train-faults.js'

export { coverageOf, mapperCoverage, meanCodeOf, type CoverageReport } from './imle-search.js'

/** Progress of a mapper run, reported after every epoch. */
export interface MapperProgress {
  readonly epoch: number
  readonly epochs: number
  readonly loss: number
  /** The IMLE objective measured at the last refresh of the pairing. */
  readonly imle: number
  readonly etaSeconds: number
}

/** Options of trainMapper (defaults: the paper's). */
export interface MapperOptions {
  /** Style codes E(B) of the training set, host matrix [N, zDim]. */
  readonly codes: Float32Array
  readonly config: StepModelConfig
  /** Recorded in the manifest; the fingerprint must match on resume. */
  readonly dataset: CheckpointManifest['dataset']
  readonly seed: number
  readonly io: CheckpointIO
  readonly epochs?: number // 500
  readonly batchSize?: number // 64
  readonly lr?: number // 1e-2
  /** lr is multiplied by lrDecay every lrDecayEvery epochs (0.7, 50). */
  readonly lrDecay?: number
  readonly lrDecayEvery?: number
  /** Epochs between refreshes of the nearest-sample pairing (5). */
  readonly staleness?: number
  /** Pool size as a multiple of N (10). */
  readonly sampleFactor?: number
  /** Std of the noise added to e_i in the regression (0.01). */
  readonly noiseStd?: number
  /** Distance entries per block of the nearest search (memory bound). */
  readonly searchBlock?: number
  /** Epochs between checkpoints (10); the last epoch is always saved. */
  readonly checkpointEvery?: number
  /** More groups saved with every checkpoint (e.g. E and G, so the folder is a whole model). */
  readonly extraGroups?: Record<string, TensorGroup>
  readonly resume?: boolean
  readonly signal?: AbortSignal
  readonly onProgress?: (p: MapperProgress) => void
  /** Forced faults (tests only; steps are epochs, the loss is named 'loss'). */
  readonly faults?: TrainingFaults
}

/** How a run ended. */
export interface MapperResult {
  readonly status: 'done' | 'cancelled'
  readonly epoch: number
  readonly lastLoss: number | null
  /** The trained mapper; the caller disposes it. */
  readonly mapper: Mapper
}

/** Trains M on `codes` by IMLE; see the module comment. */
export async function trainMapper(o: MapperOptions): Promise<MapperResult> {
  const zDim = o.config.mapper.zDim
  const n = checkCodes(o.codes, zDim)
  const training = {
    epochs: o.epochs ?? 500,
    batchSize: o.batchSize ?? 64,
    lr: o.lr ?? 1e-2,
    beta1: 0.5,
    beta2: 0.999,
    lrDecay: o.lrDecay ?? 0.7,
    lrDecayEvery: o.lrDecayEvery ?? 50,
    staleness: o.staleness ?? 5,
    sampleFactor: o.sampleFactor ?? 10,
    noiseStd: o.noiseStd ?? 0.01,
    codes: n,
    codesFingerprint: new Fingerprint()
      .bytes(new Uint8Array(o.codes.buffer, o.codes.byteOffset, o.codes.byteLength))
      .hex(),
  }
  const { epochs, batchSize, staleness } = training
  for (const [k, v] of Object.entries({ epochs, batchSize, staleness }))
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`trainMapper: ${k} ${v}`)
  const every = o.checkpointEvery ?? 10
  const mapper = createMapper(o.config.mapper, o.seed)
  const adam = new Adam(mapper.params.list(), {
    lr: training.lr,
    beta1: training.beta1,
    beta2: training.beta2,
  })
  const meanCode = tf.tensor1d(meanCodeOf(o.codes, zDim))
  let targets: Float32Array | null = null
  let imle = NaN
  const draft = (epoch: number): CheckpointDraft => ({
    stage: 'mapper',
    step: epoch,
    steps: epochs,
    seed: o.seed,
    config: o.config,
    dataset: o.dataset,
    extractor: null,
    training,
  })
  let saved: number | null = null
  const io = finiteWeightsIO(o.io, () => saved)
  const save = (epoch: number): Promise<void> =>
    saveMapperRun(io, draft(epoch), {
      mapper,
      adam,
      targets: targets ?? new Float32Array(n * zDim),
      imle,
      meanCode,
      ...(o.extraGroups ? { extraGroups: o.extraGroups } : {}),
    })
  try {
    let epoch = 0
    if (o.resume) {
      const r = await resumeMapperRun(o.io, mapper, adam, {
        dataset: o.dataset.fingerprint,
        config: o.config,
        codes: training.codesFingerprint,
      })
      if (r) {
        epoch = r.epoch
        targets = r.targets
        imle = r.imle
      }
    }
    if (epoch > 0) saved = epoch
    let lastLoss: number | null = null
    const t0 = performance.now()
    const start = epoch
    while (epoch < epochs) {
      await yieldToEvents() // lets a cancel request arrive
      if (o.signal?.aborted) {
        if (epoch > (saved ?? 0)) await save(epoch)
        return { status: 'cancelled', epoch, lastLoss, mapper }
      }
      const at = {
        stage: 'mapper',
        step: epoch + 1,
        unit: 'epoch',
        lastGood: saved,
        where: o.io.label,
      }
      try {
        forcedFailure(o.faults, epoch + 1)
        if (epoch % staleness === 0 || !targets) {
          const picked = await selectTargets(mapper, o.codes, {
            poolSize: training.sampleFactor * n,
            seed: deriveSeed(o.seed, 'imle-pool', epoch),
            ...(o.searchBlock ? { blockElements: o.searchBlock } : {}),
          })
          targets = picked.noise
          imle = Math.fround(picked.objective) // float32, as saved, so a resumed log is identical
        }
        adam.config.lr = training.lr * training.lrDecay ** Math.floor(epoch / training.lrDecayEvery)
        const hook = <T extends tf.Tensor>(t: T) => poisoned(o.faults, at.step, 'loss', t)
        lastLoss = await runEpoch(mapper, adam, o.codes, targets, epoch, o.seed, training, hook)
      } catch (err) {
        throw asOutOfMemory(err, at, batchSize)
      }
      epoch += 1
      const diverged = divergedLoss({ loss: lastLoss }, at, 'nothing computed from it was saved')
      if (diverged) throw diverged
      const seconds = (performance.now() - t0) / 1000
      await o.io.log({
        step: epoch,
        loss: lastLoss,
        imle,
        lr: adam.config.lr,
        seconds: Number(seconds.toFixed(3)),
      })
      const etaSeconds = ((epochs - epoch) * seconds) / (epoch - start)
      o.onProgress?.({ epoch, epochs, loss: lastLoss, imle, etaSeconds })
      if (epoch % every === 0 || epoch === epochs) {
        await save(epoch)
        saved = epoch
      }
    }
    return { status: 'done', epoch, lastLoss, mapper }
  } catch (err) {
    mapper.dispose()
    throw err
  } finally {
    adam.dispose()
    meanCode.dispose()
  }
}

/** One pass over the codes in a seeded order; returns the mean per-code loss. */
async function runEpoch(
  mapper: Mapper,
  adam: Adam,
  codes: Float32Array,
  targets: Float32Array,
  epoch: number,
  seed: number,
  t: { readonly batchSize: number; readonly noiseStd: number },
  hook: <T extends tf.Tensor>(loss: T) => T,
): Promise<number> {
  const zDim = mapper.config.zDim
  const n = codes.length / zDim
  const order = createRng(deriveSeed(seed, 'imle-order', epoch)).shuffled(
    Array.from({ length: n }, (_, i) => i),
  )
  let total: tf.Scalar = tf.scalar(0)
  for (let b = 0, i0 = 0; i0 < n; b++, i0 += t.batchSize) {
    const idx = order.slice(i0, i0 + t.batchSize)
    const rng = createRng(deriveSeed(seed, 'imle-perturb', epoch, b))
    const e = new Float32Array(idx.length * zDim)
    const z = new Float32Array(idx.length * zDim)
    idx.forEach((row, k) => {
      for (let d = 0; d < zDim; d++) {
        e[k * zDim + d] = (targets[row * zDim + d] ?? 0) + t.noiseStd * rng.normal()
        z[k * zDim + d] = codes[row * zDim + d] ?? 0
      }
    })
    const eT = tf.tensor2d(e, [idx.length, zDim])
    const zT = tf.tensor2d(z, [idx.length, zDim])
    const loss = adam.minimize(() =>
      hook(tf.mean<tf.Scalar>(tf.sum(tf.square(tf.sub(mapper.apply(eT), zT)), 1))),
    )
    const next = tf.tidy(() => tf.add<tf.Scalar>(total, tf.mul(loss, idx.length)))
    tf.dispose([eT, zT, loss, total])
    total = next
  }
  const sum = (await total.data())[0] ?? NaN
  total.dispose()
  return sum / n
}

/** Checks codes [N, zDim]: N >= 1, all finite. Returns N. */
function checkCodes(codes: Float32Array, zDim: number): number {
  if (codes.length === 0 || codes.length % zDim !== 0)
    throw new InputError(
      'mapper/codes',
      `expected N x ${zDim} style codes, got ${codes.length} values`,
      'trainMapper codes',
    )
  const bad = codes.findIndex((v) => !Number.isFinite(v))
  if (bad >= 0)
    throw new InputError(
      'mapper/codes',
      `code ${Math.floor(bad / zDim)} has a non-finite value (${codes[bad]})`,
      'trainMapper codes',
    )
  return codes.length / zDim
}
