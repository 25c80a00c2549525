/** Argument parsing for `step`: node's parseArgs for syntax, zod for values, usage errors named. */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { StepError } from '../core/errors.js'
import { didYouMean } from './did-you-mean.js'

/** A command-line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends StepError {
  constructor(message: string) {
    super('cli/usage', message)
    this.name = 'UsageError'
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>

/**
 * Parses `argv` against `options` and validates the values with `schema`. With `positionals`,
 * arguments that are not flags are allowed and validated under the key `positionals`.
 */
export function parseOptions<S extends z.ZodType>(
  argv: string[],
  options: OptionSpec,
  schema: S,
  positionals = false,
): z.output<S> {
  let values: Record<string, unknown>
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: positionals,
    })
    values = positionals ? { ...parsed.values, positionals: parsed.positionals } : parsed.values
  } catch (err) {
    const message =
      err instanceof Error ? err.message.replace(/\. To specify .*$/, '') : String(err)
    const unknown = /^Unknown option '(--?[\w-]+)'/.exec(message)?.[1]
    const flags = ['help', ...Object.keys(options)].map((k) => `--${k}`)
    throw new UsageError(unknown ? `${message}${didYouMean(unknown, flags)}` : message)
  }
  const parsed = schema.safeParse(values)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const flag = issue?.path.length ? `--${String(issue.path[0])}` : 'arguments'
    const got = issue?.path.length ? values[String(issue.path[0])] : undefined
    throw new UsageError(
      `${flag}: ${issue?.message ?? 'invalid'}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`,
    )
  }
  return parsed.data
}

/** An integer flag given as text, within [min, max]. */
export function intFlag(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, `expected an integer in [${min}, ${max}]`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `expected an integer in [${min}, ${max}]`)
        .max(max, `expected an integer in [${min}, ${max}]`),
    )
}

/** A float flag given as text, within [min, max]. */
export function floatFlag(min: number, max: number) {
  return z
    .string()
    .regex(/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, `expected a number in [${min}, ${max}]`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `expected a number in [${min}, ${max}]`)
        .max(max, `expected a number in [${min}, ${max}]`),
    )
}

/** A required non-empty path flag. */
export const pathFlag = z.string({ error: 'is required' }).min(1, 'must not be empty')

/** The --backend flag every command that computes shares. */
export const backendFlag = z.enum(['auto', 'wasm', 'webgpu', 'cpu', 'webgl']).default('auto')
