import { describe, expect, it } from 'vitest'
import { GAN_LOSS_WEIGHTS } from './losses.js'
import {
  checkRecipe,
  describeRecipe,
  RECIPE_NAMES,
  RECIPE_OPTION,
  RECIPE_TERMS,
  recipeWeights,
  termHelp,
  withRecipeDefaults,
} from './recipe.js'

describe('recipes', () => {
  it("'paper' is the paper's loss set exactly: every extra term 0, as in the paper loss weights", () => {
    expect(recipeWeights('paper')).toEqual({ l1: 0, gram: 0, latent: 0 })
    expect(GAN_LOSS_WEIGHTS).toMatchObject(recipeWeights('paper'))
    expect(RECIPE_OPTION.default).toBe('texture') // chosen by the measured effect (ADR 0017)
  })

  it("'texture' turns every term on; each term is declared once, in RECIPE_TERMS", () => {
    expect(recipeWeights('texture')).toEqual({ l1: 10, gram: 1e5, latent: 1 })
    expect(RECIPE_TERMS.map((t) => [t.name, t.loss])).toEqual([
      ['l1', 'g_l1'],
      ['gram', 'g_gram'],
      ['latent', 'g_latent'],
    ])
    for (const t of RECIPE_TERMS) {
      for (const r of RECIPE_NAMES) expect(t.values[r]).toBeLessThanOrEqual(t.max)
    }
    const l1 = RECIPE_TERMS.find((t) => t.name === 'l1')
    expect(l1 && termHelp(l1)).toBe(
      'weight of the pixel L1 term mean|G(A, z) - B| (paper 0, texture 10)',
    )
  })

  it('checks names and weights, naming the option and the valid range', () => {
    expect(() => checkRecipe('texture', { l1: 0, gram: 5, latent: 1e4 })).not.toThrow()
    expect(() => checkRecipe('fancy', {})).toThrow(
      'recipe: expected one of paper, texture, got "fancy"',
    )
    expect(() => checkRecipe(undefined, { l1: -1 }, 'weights.')).toThrow(
      'weights.l1: expected a number in [0, 10000], got -1',
    )
    expect(() => checkRecipe('paper', { gram: Number.NaN })).toThrow(
      'gram: expected a number in [0, 1000000000], got NaN',
    )
    expect(() => checkRecipe('paper', { latent: '1' })).toThrow(
      'latent: expected a number in [0, 10000], got "1"',
    )
  })

  it('training settings written before recipes read as paper', () => {
    const old = { lr: 1e-3, weights: { adversarial: 1, perceptual: 40, zReg: 0.01 } }
    expect(withRecipeDefaults(old)).toEqual({
      recipe: 'paper',
      lr: 1e-3,
      weights: { adversarial: 1, perceptual: 40, zReg: 0.01, l1: 0, gram: 0, latent: 0 },
    })
    const current = { recipe: 'texture', weights: { l1: 3, gram: 1, latent: 2 } }
    expect(withRecipeDefaults(current)).toEqual(current)
    expect(withRecipeDefaults({ epochs: 5 })).toEqual({ epochs: 5 }) // not a GAN stage's record
  })

  it('describes the recipe in use for logs', () => {
    expect(describeRecipe('paper')).toBe('paper (l1 0, gram 0, latent 0)')
    expect(describeRecipe('texture', { gram: 0 })).toBe(
      'texture with overrides (l1 10, gram 0, latent 1)',
    )
  })
})
