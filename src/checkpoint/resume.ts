/**
 * The one resume check of every stage: a run may continue a checkpoint only when the checkpoint
 * is of its stage, was trained on the same dataset and with the same model config (compared
 * key-order-free, so a config read from JSON in another key order still matches), and with the
 * same training settings where the stage records them.
 */
import { StepError } from '../core/errors.js'
import type { CheckpointManifest, Stage } from './manifest.js'

/** Key-order-independent JSON (object keys sorted at every depth), to compare configs. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  )
}

/** Whether two configs hold the same values, whatever the order of their keys. */
export function sameConfig(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

/** What a resuming run must share with the checkpoint it continues. */
export interface ResumeIdentity {
  readonly stage: Stage
  /** How errors name the wanted stage ("a stage-1 encoder", "'finetune'"). */
  readonly stageName: string
  /** Fingerprint of the training split the run uses. */
  readonly datasetFingerprint: string
  /** The run's model config. */
  readonly config: unknown
}

/** Throws a StepError naming `where` when `manifest` may not be resumed by a run of `run`. */
export function checkResume(
  manifest: CheckpointManifest,
  run: ResumeIdentity,
  where: string,
): void {
  if (manifest.stage !== run.stage)
    throw new StepError(
      'checkpoint/stage',
      `holds a '${manifest.stage}' checkpoint, not ${run.stageName}`,
      where,
    )
  if (manifest.dataset.fingerprint !== run.datasetFingerprint)
    throw new StepError(
      'checkpoint/dataset',
      'was trained on a different dataset (fingerprints differ); use a new --out',
      where,
    )
  if (!sameConfig(manifest.config, run.config))
    throw new StepError('checkpoint/config', 'was trained with a different model config', where)
}

/**
 * One entry per setting that differs between the checkpoint's training record and this run's
 * (dotted keys: 'recipe', 'weights.l1'), in key order; empty when they agree.
 */
export function settingDifferences(
  saved: Record<string, unknown>,
  wanted: Record<string, unknown>,
  prefix = '',
): string[] {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(wanted)])].sort()
  return keys.flatMap((k) => {
    const [a, b] = [saved[k], wanted[k]]
    if (isRecord(a) && isRecord(b)) return settingDifferences(a, b, `${prefix}${k}.`)
    if (canonicalJson(a) === canonicalJson(b)) return []
    const show = (v: unknown) => (v === undefined ? 'unset' : canonicalJson(v))
    return [`${prefix}${k} ${show(a)} (this run: ${show(b)})`]
  })
}
