/**
 * Loss recipes of stages 2 and 3: named presets of the generator terms outside the paper's loss
 * set (docs/method.md, "Departures from the paper"). 'paper' is the paper's loss set exactly (every term 0); 'texture' adds a pixel L1
 * term, a Gram texture term on the perceptual taps and BicycleGAN-style latent regression, each
 * weighted to start at the order of the adversarial term. Every option is declared once here, with
 * its value in each recipe, its help and its range: the CLI flags (`--recipe`, `--l1`, `--gram`,
 * `--latent`), the training nodes' widgets and the trainer's checks all read these declarations.
 */
import { invalidArgument } from '../../core/errors.js'

/** Recipe names; 'paper' keeps the paper's loss set exactly. */
export const RECIPE_NAMES = ['paper', 'texture'] as const
/** One of RECIPE_NAMES. */
export type RecipeName = (typeof RECIPE_NAMES)[number]

/** Weights of the terms outside the paper's loss set (each 0 in 'paper'). */
export interface RecipeWeights {
  readonly l1: number
  readonly gram: number
  readonly latent: number
}
/** One of the recipe terms. */
export type RecipeTerm = keyof RecipeWeights

/** The declaration of one term's weight. */
export interface RecipeTermOption {
  readonly name: RecipeTerm
  /** Its logged (unweighted) loss in loss.jsonl. */
  readonly loss: 'g_l1' | 'g_gram' | 'g_latent'
  /** What the weight is, for `--help` and the widget (termHelp adds the recipes' values). */
  readonly help: string
  /** Valid weights: [0, max]. */
  readonly max: number
  /** Its weight in each recipe. */
  readonly values: Readonly<Record<RecipeName, number>>
}

/** The recipe option itself. */
export const RECIPE_OPTION: {
  readonly name: 'recipe'
  readonly default: RecipeName
  readonly options: readonly RecipeName[]
  readonly help: string
} = Object.freeze({
  name: 'recipe',
  // the measured effect in docs/decisions/0017 chose it: G then carries the style code
  default: 'texture',
  options: RECIPE_NAMES,
  help:
    'loss recipe: paper (exactly the losses of the paper) or texture (adds pixel L1, Gram texture and latent ' +
    'regression terms; docs/decisions/0017); --l1, --gram, --latent override its weights',
})

/**
 * The recipe terms, one declaration each. 'texture' weights: each weighted term starts at the
 * order of the adversarial one (measured at step 0, small config, 64 px, batch 8, resnet50's
 * first 3 taps: g_adv 4.1, 40 g_percept 1.5, g_l1 0.67, g_gram 1.3e-5, g_latent 2.2).
 */
export const RECIPE_TERMS: readonly RecipeTermOption[] = Object.freeze([
  {
    name: 'l1',
    loss: 'g_l1',
    help: 'weight of the pixel L1 term mean|G(A, z) - B|',
    max: 1e4,
    values: { paper: 0, texture: 10 },
  },
  {
    name: 'gram',
    loss: 'g_gram',
    help:
      'weight of the Gram texture term on the perceptual taps, channels unit-normalised: ' +
      'the term starts near 1e-5, hence the large weight',
    max: 1e9,
    values: { paper: 0, texture: 1e5 },
  },
  {
    name: 'latent',
    loss: 'g_latent',
    help: 'weight of latent regression mean((E(G(A, z)) - z)^2), E held constant in it',
    max: 1e4,
    values: { paper: 0, texture: 1 },
  },
] as const)

/** The term's help followed by its weight in each recipe: '... (paper 0, texture 10)'. */
export function termHelp(t: RecipeTermOption): string {
  return `${t.help} (${RECIPE_NAMES.map((n) => `${n} ${t.values[n]}`).join(', ')})`
}

/** Whether `name` is a recipe name. */
export function isRecipeName(name: unknown): name is RecipeName {
  return typeof name === 'string' && (RECIPE_NAMES as readonly string[]).includes(name)
}

/** The term weights of recipe `name`. */
export function recipeWeights(name: RecipeName): RecipeWeights {
  const entries = RECIPE_TERMS.map((t) => [t.name, t.values[name]] as const)
  return Object.fromEntries(entries) as Record<RecipeTerm, number>
}

/**
 * Checks a recipe name and term weights (as given to the trainer), naming the option and what
 * would be valid. `where` prefixes the option names (e.g. 'weights.').
 */
export function checkRecipe(
  recipe: unknown,
  weights: Partial<Record<RecipeTerm, unknown>>,
  where = '',
): void {
  if (recipe !== undefined && !isRecipeName(recipe))
    throw invalidArgument('recipe', recipe, `one of ${RECIPE_NAMES.join(', ')}`)
  for (const t of RECIPE_TERMS) {
    const v = weights[t.name]
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= t.max))
      throw invalidArgument(`${where}${t.name}`, v, `a number in [0, ${t.max}]`)
  }
}

/**
 * A manifest's training settings with the recipe fields of checkpoints written before recipes
 * existed filled in as 'paper' (recipe 'paper', weights l1 = gram = latent = 0), so they resume.
 */
export function withRecipeDefaults(training: Record<string, unknown>): Record<string, unknown> {
  const weights = training.weights
  if (weights === null || typeof weights !== 'object' || Array.isArray(weights)) return training
  return {
    recipe: 'paper',
    ...training,
    weights: { ...recipeWeights('paper'), ...(weights as Record<string, unknown>) },
  }
}

/** One line for logs: the recipe and its term weights after overrides, e.g. 'texture (l1 10, …)'. */
export function describeRecipe(name: RecipeName, overrides: Partial<RecipeWeights> = {}): string {
  const w = { ...recipeWeights(name), ...overrides }
  const changed = RECIPE_TERMS.some((t) => overrides[t.name] !== undefined)
  const terms = RECIPE_TERMS.map((t) => `${t.name} ${w[t.name]}`).join(', ')
  return `${name}${changed ? ' with overrides' : ''} (${terms})`
}
