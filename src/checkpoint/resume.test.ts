import { describe, expect, it } from 'vitest'
import { StepError } from '../core/errors.js'
import type { CheckpointManifest } from './manifest.js'
import { canonicalJson, checkResume, sameConfig, settingDifferences } from './resume.js'

const config = { encoder: { zDim: 8, width: 16 }, generator: { width: 32, layers: [1, 2] } }

function manifest(over: Partial<CheckpointManifest> = {}): CheckpointManifest {
  return {
    format: 'step-checkpoint',
    version: 1,
    stage: 'encoder',
    step: 10,
    steps: 20,
    seed: 1,
    createdAt: '2026-12-02T00:00:00Z',
    // The same config as `config`, its keys written in another order at every depth.
    config: { generator: { layers: [1, 2], width: 32 }, encoder: { width: 16, zDim: 8 } },
    dataset: { label: 'pairs', fingerprint: 'abc', size: 64, count: 4 },
    extractor: null,
    training: {},
    weights: {},
    ...over,
  }
}

const run = {
  stage: 'encoder',
  stageName: 'a stage-1 encoder',
  datasetFingerprint: 'abc',
  config,
} as const

/** The StepError code and message `f` throws. */
function thrown(f: () => void): string {
  try {
    f()
  } catch (err) {
    if (err instanceof StepError) return `${err.code}: ${err.message}`
    throw err
  }
  return 'nothing thrown'
}

describe('resume check', () => {
  it('compares configs whatever their key order, but not their values or array order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}')
    expect(sameConfig(manifest().config, config)).toBe(true)
    expect(sameConfig({ a: [1, 2] }, { a: [2, 1] })).toBe(false)
    expect(sameConfig({ a: 1 }, { a: 1, b: undefined })).toBe(true)
    expect(sameConfig({ a: 1 }, { a: 2 })).toBe(false)
  })

  it('lets a run continue its own stage, dataset and config', () => {
    expect(thrown(() => checkResume(manifest(), run, 'out/e'))).toBe('nothing thrown')
  })

  it('refuses another stage, dataset or config, naming the checkpoint', () => {
    expect(thrown(() => checkResume(manifest({ stage: 'mapper' }), run, 'out/e'))).toMatch(
      /^checkpoint\/stage: .*out\/e.*holds a 'mapper' checkpoint, not a stage-1 encoder/,
    )
    const otherData = manifest({ dataset: { label: 'x', fingerprint: 'zzz', size: 64, count: 4 } })
    expect(thrown(() => checkResume(otherData, run, 'out/e'))).toMatch(/^checkpoint\/dataset: /)
    const otherConfig = manifest({ config: { ...config, encoder: { zDim: 4, width: 16 } } })
    expect(thrown(() => checkResume(otherConfig, run, 'out/e'))).toMatch(
      /^checkpoint\/config: .*different model config/,
    )
  })

  it('lists differing training settings by dotted key', () => {
    expect(
      settingDifferences(
        { lr: 0.001, weights: { l1: 20, gram: 0 } },
        { lr: 0.001, weights: { gram: 0, l1: 10 } },
      ),
    ).toEqual(['weights.l1 20 (this run: 10)'])
    expect(settingDifferences({ recipe: 'paper' }, {})).toEqual([
      'recipe "paper" (this run: unset)',
    ])
  })
})
