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
    `expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`,
    name,
  )
}

/** The message of any thrown value, for one-line reports. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
