/** Our parameter names and layouts <-> the PyTorch twin's, both ways. */
import { describe, expect, it } from 'vitest'
import { fromTorch, stepName, toTorch, torchName } from './torch-names.js'

describe('torch names', () => {
  it('maps names of the four networks both ways', () => {
    expect(torchName('enc/block1/conv1/w')).toBe('encoder.block1.conv1.weight')
    expect(torchName('dis/scale2/logits/b')).toBe('discriminator.scale2.logits.bias')
    expect(torchName('map/fc1/w')).toBe('mapper.fc1.weight')
    expect(torchName('vgg/conv/w')).toBeNull()
    expect(stepName('generator.up3.conv2.weight')).toBe('gen/up3/conv2/w')
    expect(stepName('mapper.mean_code')).toBeNull()
  })

  it('transposes conv kernels [k, k, cin, cout] <-> [cout, cin, k, k] and dense kernels', () => {
    // kernel [kh=1, kw=2, cin=2, cout=3]: value = 100 kw + 10 cin + cout
    const data = Float32Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112])
    const [name, t] = toTorch('gen/stem/w', { shape: [1, 2, 2, 3], data })
    expect(name).toBe('generator.stem.weight')
    expect(t.shape).toEqual([3, 2, 1, 2])
    // torch [cout][cin][kh][kw]: cout 1, cin 0 -> [1, 101]
    expect(Array.from(t.data.slice(4, 6))).toEqual([1, 101])
    const back = fromTorch(name, t)
    expect(back?.[1].shape).toEqual([1, 2, 2, 3])
    expect(Array.from(back?.[1].data ?? [])).toEqual(Array.from(data))
    const [, d] = toTorch('map/out/w', {
      shape: [2, 3],
      data: Float32Array.from([1, 2, 3, 4, 5, 6]),
    })
    expect(d.shape).toEqual([3, 2])
    expect(Array.from(d.data)).toEqual([1, 4, 2, 5, 3, 6])
  })
})
