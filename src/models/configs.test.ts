import { describe, expect, it } from 'vitest'
import {
  PAPER,
  PRESETS,
  SMALL,
  parseStepModelConfig,
  stepModelConfig,
  stepModelConfigSchema,
} from './configs.js'
import { convMacs, encoderMacs, generatorMacs } from './flops.js'

describe('model configs', () => {
  it('PAPER holds the released code defaults and SMALL the CPU preset', () => {
    expect(PAPER.encoder).toEqual({ zDim: 8, width: 64, blocks: [2, 3, 4], slope: 0.2 })
    expect(PAPER.generator).toEqual({
      zDim: 8,
      width: 32,
      encoderResBlocks: 4,
      decoderResBlocks: 4,
    })
    expect(PAPER.discriminator).toEqual({ width: 32, scales: 3, mbstdGroup: 4, slope: 0.2 })
    expect(PAPER.mapper).toEqual({ zDim: 8, hidden: 128, layers: 3 })
    expect(SMALL.encoder).toEqual({
      zDim: 8,
      width: 12,
      blocks: [2, 3, 4],
      slope: 0.2,
      textureStats: true,
    })
    expect(SMALL.generator.width).toBe(PAPER.generator.width / 4)
    expect(SMALL.discriminator.width).toBe(PAPER.discriminator.width / 4)
    for (const preset of Object.values(PRESETS)) {
      expect(stepModelConfigSchema.safeParse(preset).success).toBe(true)
      expect(Object.isFrozen(preset.encoder.blocks)).toBe(true)
    }
  })

  it('builds a mutable copy with overrides and round-trips through JSON', () => {
    const c = stepModelConfig('small', { generator: { decoderResBlocks: 1 } })
    expect(c.generator).toEqual({ ...SMALL.generator, decoderResBlocks: 1 })
    expect(c.encoder).toEqual(SMALL.encoder)
    c.encoder.blocks.push(5) // a copy: the preset is untouched
    expect(SMALL.encoder.blocks).toEqual([2, 3, 4])
    expect(parseStepModelConfig(JSON.parse(JSON.stringify(PAPER)))).toEqual(PAPER)
  })

  it('rejects configs from manifests with the field paths in the message', () => {
    const bad = { ...PAPER, generator: { ...PAPER.generator, zDim: 16 } }
    expect(() => parseStepModelConfig(bad, 'ckpt/manifest.json')).toThrow(
      /ckpt\/manifest.json: invalid config:\n {2}generator.zDim: generator.zDim 16 must equal encoder.zDim 8/,
    )
    expect(() => parseStepModelConfig({ ...PAPER, preset: 'huge' })).toThrow(/preset/)
    expect(() =>
      parseStepModelConfig({ ...PAPER, encoder: { ...PAPER.encoder, width: -1 } }),
    ).toThrow(/encoder.width/)
    expect(() => parseStepModelConfig({ ...PAPER, mapper: { ...PAPER.mapper, depth: 3 } })).toThrow(
      /mapper/,
    )
  })
})

describe('multiply-add counts', () => {
  it('count G and E convolutions per image', () => {
    // G width 1, z 1, no res blocks, 8x8: stem 9408, downs 3 x 288, up blocks 2448 + 576,
    // 2592 + 576, 2880 + 576, output 1x1 576
    expect(
      generatorMacs({ zDim: 1, width: 1, encoderResBlocks: 0, decoderResBlocks: 0 }, 8, 8),
    ).toBe(20_496)
    expect(generatorMacs(SMALL.generator, 128, 128)).toBe(
      4 * generatorMacs(SMALL.generator, 64, 64),
    )
    expect(convMacs(2, 3, 3, 4, 5)).toBe(2 * 3 * 9 * 20)
    // E width 1, blocks [2], 4x4: stem 2x2x16x3, block at 2x2: 2 x 2x2x9x1x1... + shortcut at 1x1
    expect(encoderMacs({ zDim: 8, width: 1, blocks: [2], slope: 0.2 }, 4, 4)).toBe(
      4 * 16 * 3 + 4 * 9 * 1 + 4 * 9 * 2 + 1 * 2 + 2 * 8,
    )
    expect(encoderMacs(PAPER.encoder, 256, 256) / 1e9).toBeCloseTo(4.24, 2)
  })
})
