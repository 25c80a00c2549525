import { describe, expect, it } from 'vitest'
import { UsageError } from '../args.js'
import { parseTrainGanArgs, trainGeneratorCommand } from './train-generator.js'

const required = ['--data', 'd', '--out', 'o']

describe('step train generator / finetune: recipe flags', () => {
  it("defaults to the 'texture' recipe (ADR 0017) with no overrides", () => {
    const o = parseTrainGanArgs('generator', [...required, '--encoder', 'e'])
    expect(o.recipe).toBe('texture')
    expect(o.recipeWeights).toEqual({})
    expect(o.from).toBe('e')
  })

  it('parses --recipe and the per-term weights, which override the recipe', () => {
    const o = parseTrainGanArgs('finetune', [
      ...required,
      '--from',
      'f',
      '--recipe',
      'texture',
      '--l1',
      '2.5',
      '--gram=0',
      '--latent',
      '1e-1',
    ])
    expect(o.recipe).toBe('texture')
    expect(o.recipeWeights).toEqual({ l1: 2.5, gram: 0, latent: 0.1 })
    expect(o.from).toBe('f')
  })

  it('names the flag and what is valid for bad values', () => {
    const parse =
      (...extra: string[]) =>
      () =>
        parseTrainGanArgs('generator', [...required, '--encoder', 'e', ...extra])
    expect(parse('--recipe', 'fancy')).toThrow(UsageError)
    expect(parse('--recipe', 'fancy')).toThrow(
      '--recipe: expected one of paper, texture (got "fancy")',
    )
    expect(parse('--l1=-1')).toThrow('--l1: expected a number in [0, 10000] (got "-1")')
    expect(parse('--gram', 'lots')).toThrow(
      '--gram: expected a number in [0, 1000000000] (got "lots")',
    )
    expect(parse('--latent', '2e4')).toThrow(
      '--latent: expected a number in [0, 10000] (got "2e4")',
    )
    expect(parse('--l1')).toThrow(/--l1/)
  })

  it('documents every recipe flag with its values in each recipe', () => {
    const usage = trainGeneratorCommand.usage
    expect(usage).toContain('[--recipe paper|texture] [--l1 X] [--gram X] [--latent X]')
    expect(usage).toContain(
      '--l1 X           weight of the pixel L1 term mean|G(A, z) - B| (paper 0, texture 10)',
    )
    expect(usage).toMatch(/--gram X .*\n.*\(paper 0, texture 100000\)/)
    expect(usage).toMatch(/--latent X .*\n?.*\(paper 0, texture 1\)/)
  })
})
