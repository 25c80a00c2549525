import { describe, expect, it } from 'vitest'
import { UsageError } from './args.js'
import { parseTrainGanArgs } from './commands/train-generator.js'

const required = ['--data', 'd', '--out', 'o', '--encoder', 'e']

describe('--direction', () => {
  it('defaults to AtoB, takes BtoA, and refuses anything else naming the flag', () => {
    expect(parseTrainGanArgs('generator', required).direction).toBe('AtoB')
    expect(parseTrainGanArgs('generator', [...required, '--direction', 'BtoA']).direction).toBe(
      'BtoA',
    )
    expect(() => parseTrainGanArgs('generator', [...required, '--direction', 'sideways'])).toThrow(
      UsageError,
    )
    expect(() => parseTrainGanArgs('generator', [...required, '--direction', 'sideways'])).toThrow(
      /--direction/,
    )
  })
})
