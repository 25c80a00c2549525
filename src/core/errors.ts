/**
 * Errors that users see. Each names WHAT was wrong, WHERE (a file, a node, a field) and, where it
 * helps, what would be valid. `toString()` gives the one-line form the CLI prints.
 */

/** Base class: a user-facing error with a stable machine-readable code and a location. */
export class StepError extends Error {
  /** Stable identifier, e.g. 'image/truncated' or 'backend/unavailable'. */
  readonly code: string
  /** Where the problem is: a file path, a node id, a field name. Empty when not applicable. */
  readonly where: string

  constructor(code: string, message: string, where = '', options?: { cause?: unknown }) {
    super(where ? `${where}: ${message}` : message, options)
    this.name = 'StepError'
    this.code = code
    this.where = where
  }
}

/** An input file (image, dataset folder, checkpoint) that cannot be used. */
export class InputError extends StepError {
  constructor(code: string, message: string, where = '', options?: { cause?: unknown }) {
    super(code, message, where, options)
    this.name = 'InputError'
  }
}

/** A requested backend or device feature that this environment cannot provide. */
export class BackendError extends StepError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, '', options)
    this.name = 'BackendError'
  }
}

/** An argument outside its valid range, named with the value received. */
export function invalidArgument(name: string, value: unknown, expected: string): StepError {
  return new StepError(
    'argument/invalid',
    `expected ${expected}, got ${showValue(value, 200)}`,
    name,
  )
}

/** The message of any thrown value, for one-line reports. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * A short rendering of any value for messages: JSON-like, at most `max` characters, and safe on
 * hostile input (nesting is cut at a few levels, so a deeply nested value cannot overflow the
 * stack as JSON.stringify would; never throws).
 */
export function showValue(value: unknown, max = 80): string {
  let s: string
  try {
    s = render(value, 3)
  } catch {
    s = Object.prototype.toString.call(value)
  }
  return s.length > max ? `${s.slice(0, max - 3)}...` : s
}

function render(v: unknown, depth: number): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 300 ? v.slice(0, 300) : v)
  if (v === null || typeof v !== 'object') return typeof v === 'function' ? 'function' : String(v)
  if (depth <= 0) return Array.isArray(v) ? '[...]' : '{...}'
  if (Array.isArray(v)) {
    const items = v.slice(0, 10).map((x: unknown) => render(x, depth - 1))
    return `[${items.join(',')}${v.length > 10 ? ',...' : ''}]`
  }
  const keys = Object.keys(v)
  const o = v as Record<string, unknown>
  const items = keys.slice(0, 10).map((k) => `${JSON.stringify(k)}:${render(o[k], depth - 1)}`)
  return `{${items.join(',')}${keys.length > 10 ? ',...' : ''}}`
}

/**
 * A training run stopped because a loss or a weight became NaN or Inf. Nothing computed from the
 * bad values was saved: the checkpoint of `lastGoodStep` (null: none yet) is intact.
 */
export class TrainingDivergedError extends StepError {
  constructor(
    message: string,
    where: string,
    /** The stage ('encoder', 'generator', 'finetune', 'mapper'). */
    readonly stage: string,
    /** The step (mapper: epoch) whose values were not finite. */
    readonly step: number,
    /** The loss by its logged name (e.g. 'g_percept'), or the weight ('generator/conv1/w'). */
    readonly quantity: string,
    readonly lastGoodStep: number | null,
  ) {
    super('train/nan', message, where)
    this.name = 'TrainingDivergedError'
  }
}

/** A training step could not allocate memory on its backend; a smaller batch may fit. */
export class OutOfMemoryError extends StepError {
  constructor(
    message: string,
    where: string,
    readonly backend: string,
    readonly batchSize: number,
    /** The batch size to try next (half, at least 1). */
    readonly suggestedBatchSize: number,
    options?: { cause?: unknown },
  ) {
    super('train/out-of-memory', message, where, options)
    this.name = 'OutOfMemoryError'
  }
}
