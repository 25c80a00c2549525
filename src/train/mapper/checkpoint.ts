/**
 * Checkpoints of an IMLE mapper run (train-mapper.ts): groups 'mapper' (M's variables), 'optimizer' (Adam
 * state), 'imle' (the current pairing: the chosen noise row per code, and the IMLE objective at
 * its refresh, so a resume mid-staleness continues exactly) and 'style' ('meanCode' [zDim], the
 * dataset's mean code used for style strength at inference), plus any extra groups of the caller.
 */
import * as tf from '@tensorflow/tfjs'
import { StepError } from '../../core/errors.js'
import type { StepModelConfig } from '../../models/configs.js'
import type { Mapper } from '../../models/mapper.js'
import type { Adam } from '../adam.js'
import type { CheckpointDraft, CheckpointIO, TensorGroup } from '../../checkpoint/format.js'
import { assignGroup, disposeLoaded } from '../../checkpoint/loaded.js'
import { checkResume } from '../../checkpoint/resume.js'

/** What a mapper checkpoint holds besides the manifest. */
export interface MapperRunState {
  readonly mapper: Mapper
  readonly adam: Adam
  /** [N, zDim] chosen noise rows. */
  readonly targets: Float32Array
  /** IMLE objective at the last refresh (float32). */
  readonly imle: number
  /** [zDim] mean style code. */
  readonly meanCode: tf.Tensor1D
  readonly extraGroups?: Record<string, TensorGroup>
}

/** Writes a mapper checkpoint. */
export async function saveMapperRun(
  io: CheckpointIO,
  draft: CheckpointDraft,
  s: MapperRunState,
): Promise<void> {
  const zDim = s.mapper.config.zDim
  const pairing = tf.tensor2d(s.targets, [s.targets.length / zDim, zDim])
  const objective = tf.scalar(s.imle)
  try {
    await io.save(draft, {
      ...s.extraGroups,
      mapper: s.mapper.params.entries().map(([name, tensor]) => ({ name, tensor })),
      optimizer: s.adam.state(),
      imle: [
        { name: 'targets', tensor: pairing },
        { name: 'objective', tensor: objective },
      ],
      style: [{ name: 'meanCode', tensor: s.meanCode }],
    })
  } finally {
    tf.dispose([pairing, objective])
  }
}

/** Fingerprints a checkpoint must carry to be resumed by this run. */
export interface MapperRunIdentity {
  readonly dataset: string
  readonly config: StepModelConfig
  /** Fingerprint of the codes' bytes. */
  readonly codes: string
}

/** Restores mapper, optimiser and pairing from the checkpoint, after checking it belongs here. */
export async function resumeMapperRun(
  io: CheckpointIO,
  mapper: Mapper,
  adam: Adam,
  expected: MapperRunIdentity,
): Promise<{ epoch: number; targets: Float32Array | null; imle: number } | null> {
  const loaded = await io.load()
  if (!loaded) return null
  const m = loaded.manifest
  const where = io.label
  try {
    checkResume(
      m,
      {
        stage: 'mapper',
        stageName: 'a mapper',
        datasetFingerprint: expected.dataset,
        config: expected.config,
      },
      where,
    )
    if (m.training.codesFingerprint !== expected.codes)
      throw new StepError(
        'checkpoint/codes',
        'was trained on different style codes (the encoder or the images changed); use a new --out',
        where,
      )
    assignGroup(mapper.params, loaded, 'mapper', where)
    await adam.load(loaded.groups.optimizer ?? [])
    const saved = (name: string) => loaded.groups.imle?.find((g) => g.name === name)?.tensor
    const pairing = saved('targets')
    const objective = saved('objective')
    const targets = pairing && m.step > 0 ? ((await pairing.data()) as Float32Array) : null
    const imle = objective ? ((await objective.data())[0] ?? NaN) : NaN
    await io.truncateLog(m.step)
    return { epoch: m.step, targets, imle }
  } finally {
    disposeLoaded(loaded)
  }
}
