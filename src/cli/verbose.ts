/**
 * `--verbose`, taken out of every command's arguments like --threads: native backend messages
 * (Dawn's Vulkan warnings) reach stderr only when it is given, or with `step info`
 * (src/runtime/webgpu-quiet.node.ts).
 */

/** The help line for --verbose, shown under every command's usage. */
export const VERBOSE_HELP =
  '--verbose      show the native backend messages (Dawn, Vulkan) that are hidden otherwise'

/** Removes `--verbose` from `argv`; when it was there, sets STEP_VERBOSE=1 for the backend. */
export function takeVerboseFlag(argv: readonly string[]): string[] {
  const rest = argv.filter((a) => a !== '--verbose')
  if (rest.length !== argv.length) process.env.STEP_VERBOSE = '1'
  return rest
}
