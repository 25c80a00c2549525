/** The `step` command line: dispatches to sub-commands; one-line errors; exit 2 = usage, 1 = failure. */
import { StepError, errorMessage } from '../core/errors.js'
import { UsageError } from './args.js'
import { didYouMean } from './did-you-mean.js'
import { packageVersion } from './version.js'
import type { Command } from './command.js'
import { THREADS_HELP, takeThreadsFlag } from './threads.js'
import { VERBOSE_HELP, takeVerboseFlag } from './verbose.js'
import { datasetEdges } from './commands/dataset-edges.js'
import { datasetSynth } from './commands/dataset-synth.js'
import { demo } from './commands/demo.js'
import { encodeCommand } from './commands/encode.js'
import { evalEncoderCommand } from './commands/eval-encoder.js'
import { info } from './commands/info.js'
import { trainEncoderCommand } from './commands/train-encoder.js'
import { trainFinetuneCommand, trainGeneratorCommand } from './commands/train-generator.js'
import { trainMapperCommand } from './commands/train-mapper.js'
import { generateCommand } from './commands/generate.js'
import { sampleCommand } from './commands/sample.js'
import { interpolateCommand } from './commands/interpolate.js'
import { evalCommand } from './commands/eval.js'
import { exportCommand } from './commands/export.js'
import { importCommand } from './commands/import.js'
import { nodesCommand } from './commands/nodes.js'
import { runCommand } from './commands/run.js'
import { compareCommand } from './commands/compare.js'
import { trainBicycleGanCommand, trainMunitCommand } from './commands/train-baseline.js'

const COMMANDS: readonly Command[] = [
  datasetSynth,
  datasetEdges,
  trainEncoderCommand,
  trainGeneratorCommand,
  trainFinetuneCommand,
  trainMapperCommand,
  trainBicycleGanCommand,
  trainMunitCommand,
  generateCommand,
  sampleCommand,
  interpolateCommand,
  encodeCommand,
  evalEncoderCommand,
  // After 'eval encoder': the first command whose words match is run.
  evalCommand,
  compareCommand,
  exportCommand,
  importCommand,
  runCommand,
  nodesCommand,
  demo,
  info,
]

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'usage: step <command> [options]   (step <command> --help for details; step --version)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `every command: ${THREADS_HELP}`,
    `               ${VERBOSE_HELP}`,
  ].join('\n')
}

/** Runs `step` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const command = COMMANDS.find((c) => {
    const words = c.name.split(' ')
    return words.every((w, i) => argv[i] === w)
  })
  if (!command) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      process.stdout.write(`${overview()}\n`)
      return argv.length === 0 ? 2 : 0
    }
    if (argv[0] === '--version' || argv[0] === '-V') {
      process.stdout.write(`step-graph ${await packageVersion()}\n`)
      return 0
    }
    const given = argv.slice(0, 2).join(' ')
    const names = COMMANDS.map((c) => c.name)
    const hint =
      didYouMean(given, names) ||
      didYouMean(argv[0] ?? '', [...new Set(names.map((n) => n.split(' ')[0] ?? ''))])
    process.stderr.write(`step: unknown command '${given}'${hint}\n\n${overview()}\n`)
    return 2
  }
  const given = argv.slice(command.name.split(' ').length)
  if (given.includes('--help') || given.includes('-h')) {
    process.stdout.write(
      `usage: ${command.usage}\n\nevery command: ${THREADS_HELP}\n               ${VERBOSE_HELP}\n`,
    )
    return 0
  }
  try {
    return await command.run(takeVerboseFlag(takeThreadsFlag(given)))
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`step ${command.name}: ${err.message}\n\nusage: ${command.usage}\n`)
      return 2
    }
    if (err instanceof Error && err.name === 'AbortError') {
      process.stderr.write(`step ${command.name}: cancelled\n`)
      return 130
    }
    const known = err instanceof StepError || err instanceof RangeError
    process.stderr.write(`step ${command.name}: ${errorMessage(err)}\n`)
    if (!known || process.env.STEP_DEBUG)
      process.stderr.write(`${err instanceof Error ? (err.stack ?? '') : ''}\n`)
    return 1
  }
}

// Run when executed directly (tsx src/cli/main.ts ...); bin/step.mjs imports main() instead.
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  void main(process.argv.slice(2)).then((code) => process.exit(code))
}
