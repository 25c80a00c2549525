/** The shape of one `step` sub-command. */
export interface Command {
  /** e.g. 'dataset synth' */
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** Full usage text shown by --help and after usage errors. */
  readonly usage: string
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>
}

/** Prints a line to stdout (results) — progress and warnings go to stderr. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`)
}

/** Prints a warning line to stderr. */
export function warn(line: string): void {
  process.stderr.write(`step: warning: ${line}\n`)
}
