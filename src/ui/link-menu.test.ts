import { describe, expect, it } from 'vitest'
import { linkChoices } from './link-menu.js'

describe('linkChoices', () => {
  it('offers the node types the runtime lets a link join, widenings included', () => {
    const fromImage = linkChoices('Image', 'output').map((c) => `${c.type}.${c.slotName}`)
    expect(fromImage).toContain('step/style-encode.images') // Image -> ImageBatch
    expect(fromImage).toContain('step/generate.content')
    expect(fromImage).toContain('step/preview-image.images')
    expect(fromImage).not.toContain('step/mapper.noise')
    const fromModel = linkChoices('Model', 'output').map((c) => `${c.type}.${c.slotName}`)
    expect(fromModel).toEqual(
      expect.arrayContaining([
        'step/generate.generator',
        'step/mapper.mapper',
        'step/style-encode.encoder',
      ]),
    )
    // dragged back from a Generate node's generator input: who can feed it
    const feeders = linkChoices('Generator', 'input').map((c) => c.type)
    expect(feeders).toContain('step/load-model') // Model -> Generator
    expect(feeders).not.toContain('step/load-image')
    expect(linkChoices('NotAType', 'output')).toEqual([])
  })
})
