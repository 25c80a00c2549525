/**
 * Multiply-add counts of the networks' convolutions and dense layers for an input size (per
 * image; norms, activations, pooling and upsampling are not counted). Used by benchmarks.
 */
import type { EncoderConfig, GeneratorConfig } from './configs.js'

/** Multiply-adds of one conv: output pixels x k^2 x cin x cout. */
export function convMacs(outH: number, outW: number, k: number, cin: number, cout: number): number {
  return outH * outW * k * k * cin * cout
}

/** Multiply-adds of G for one image of size height x width (multiples of 8). */
export function generatorMacs(config: GeneratorConfig, height: number, width: number): number {
  const { width: w, zDim } = config
  const enc = [w, 2 * w, 4 * w, 8 * w]
  const c = 8 * w
  const at = (level: number): [number, number] => [height / 2 ** level, width / 2 ** level]
  let macs = convMacs(...at(0), 7, 3, w)
  for (let i = 1; i <= 3; i++) macs += convMacs(...at(i), 3, enc[i - 1] ?? 0, enc[i] ?? 0)
  macs += config.encoderResBlocks * 2 * convMacs(...at(3), 3, c, c)
  macs +=
    config.decoderResBlocks * (convMacs(...at(3), 3, c + zDim, c) + convMacs(...at(3), 3, c, c))
  let cin = c
  for (let i = 1; i <= 3; i++) {
    const cout = enc[3 - i] ?? 0
    macs += convMacs(...at(3 - i), 3, cin + (enc[4 - i] ?? 0) + zDim, cout)
    macs += convMacs(...at(3 - i), 3, cout, cout)
    cin = cout
  }
  return macs + convMacs(...at(0), 1, cin + w + zDim, 3)
}

/** Multiply-adds of E for one image of size height x width. */
export function encoderMacs(config: EncoderConfig, height: number, width: number): number {
  let h = Math.ceil(height / 2)
  let w = Math.ceil(width / 2)
  let macs = convMacs(h, w, 4, 3, config.width)
  let cin = config.width
  for (const mult of config.blocks) {
    const cout = mult * config.width
    macs += convMacs(h, w, 3, cin, cin) + convMacs(h, w, 3, cin, cout)
    h = Math.floor(h / 2)
    w = Math.floor(w / 2)
    macs += convMacs(h, w, 1, cin, cout)
    cin = cout
  }
  return macs + cin * config.zDim
}
