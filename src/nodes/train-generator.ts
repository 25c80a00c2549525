/**
 * Train Generator (stage 2) and Fine-Tune (stage 3): G and D by LSGAN + perceptual loss, plus the
 * terms of the chosen loss recipe (src/train/gan/recipe.ts, whose declarations the widgets reuse).
 */
import { disposeModels } from '../train/gan/checkpoint.js'
import {
  RECIPE_NAMES,
  RECIPE_OPTION,
  RECIPE_TERMS,
  termHelp,
  type RecipeTerm,
  type RecipeWeights,
} from '../train/gan/recipe.js'
import type { GanStage } from '../train/gan/train-generator.js'
import { runGanStage } from '../train/stage-runs.js'
import { defineNode, type NodeDefinition } from './define.js'
import {
  resolveFeatures,
  checkFinished,
  FEATURES_WIDGET,
  outWidget,
  stageRun,
  startFrom,
} from './training.js'
import { MAX_SEED, type ComboWidget, type FloatWidget } from './widgets.js'

/** The recipe widget and one weight widget per recipe term (negative: the recipe's weight). */
export const RECIPE_WIDGETS: { readonly recipe: ComboWidget<(typeof RECIPE_NAMES)[number]> } & {
  readonly [K in RecipeTerm]: FloatWidget
} = {
  recipe: {
    kind: 'combo',
    default: RECIPE_OPTION.default,
    options: RECIPE_NAMES,
    description: RECIPE_OPTION.help,
  },
  ...(Object.fromEntries(
    RECIPE_TERMS.map((t) => [
      t.name,
      {
        kind: 'float',
        default: -1,
        min: -1,
        max: t.max,
        description: `${termHelp(t)}; -1 (any negative): the recipe's weight`,
      },
    ]),
  ) as Record<RecipeTerm, FloatWidget>),
}

/** The weights the widgets set explicitly (>= 0); the others come from the recipe. */
export function recipeOverrides(w: Readonly<Record<RecipeTerm, number>>): Partial<RecipeWeights> {
  return Object.fromEntries(
    RECIPE_TERMS.flatMap((t) => (w[t.name] >= 0 ? [[t.name, w[t.name]]] : [])),
  )
}

function ganNode(stage: GanStage): NodeDefinition {
  const first = stage === 'generator'
  return defineNode({
    type: first ? 'step/train-generator' : 'step/fine-tune',
    title: first ? 'Train Generator' : 'Fine-Tune',
    category: 'StEP/Train',
    description: first
      ? 'Stage 2 (as `step train generator`): trains G and D with the stage-1 encoder frozen.'
      : 'Stage 3 (as `step train finetune`): fine-tunes E, G and D together from a stage-2 checkpoint.',
    inputs: { dataset: { type: 'Dataset' }, from: { type: 'Checkpoint' } },
    outputs: { checkpoint: 'Checkpoint' },
    widgets: {
      steps: { kind: 'int', default: first ? 700 : 300, min: 1, max: 10_000_000 },
      batch: { kind: 'int', default: 4, min: 1, max: 1024 },
      size: { kind: 'int', default: 64, min: 16, max: 1024 },
      lr: { kind: 'float', default: first ? 0.004 : 0.002, min: 1e-7, max: 1 },
      features: FEATURES_WIDGET,
      perceptTaps: { kind: 'int', default: 3, min: 1, max: 4 },
      ...RECIPE_WIDGETS,
      seed: { kind: 'int', default: 1, min: 0, max: MAX_SEED },
      every: { kind: 'int', default: 100, min: 1, max: 10_000_000 },
      samples: { kind: 'int', default: 0, min: 0, max: 10_000_000 },
      out: outWidget(first ? 'generator' : 'finetune'),
    },
    async execute({ dataset, from }, w, ctx) {
      const features = resolveFeatures(w.features, ctx.env)
      const run = await stageRun(ctx, dataset, w.out, w.seed)
      const result = await runGanStage({
        stage,
        ...run,
        ...(await startFrom(ctx, from)),
        features,
        ...(w.features === 'resnet50' ? { perceptTaps: w.perceptTaps } : {}),
        recipe: w.recipe,
        recipeWeights: recipeOverrides(w),
        size: w.size,
        steps: w.steps,
        batch: w.batch,
        lr: w.lr,
        every: w.every,
        samples: w.samples,
        onProgress: (p) =>
          ctx.progress(p.step, p.steps, { g: p.losses.total, imagesPerSecond: p.imagesPerSecond }),
      })
      disposeModels(result.models)
      checkFinished(result.status, ctx, run.io.label)
      return { checkpoint: { path: ctx.env.checkpointPath(w.out), stage, step: result.step } }
    },
  })
}

/** Stage 2. */
export const trainGeneratorNode = ganNode('generator')
/** Stage 3. */
export const fineTuneNode = ganNode('finetune')
