/**
 * The networks' parameters under PyTorch module names and layouts, as the PyTorch twin
 * (bench/peers/step_twin.py) declares them: 'enc/block1/conv1/w' [k, k, cin, cout] <->
 * 'encoder.block1.conv1.weight' [cout, cin, k, k]; dense kernels [cin, cout] <-> [cout, cin];
 * biases '.../b' <-> '.bias' unchanged. Weights stay in their equalised-learning-rate form
 * (N(0, 1), scaled at run time by both sides). Plain arrays: no tfjs here.
 */
import type { SafeTensor } from '../core/safetensors.js'

/** Our variable prefix of each network <-> the twin's attribute name. */
export const TORCH_NETWORKS = {
  enc: 'encoder',
  gen: 'generator',
  dis: 'discriminator',
  map: 'mapper',
} as const

/** Our prefix of a network ('enc', 'gen', 'dis', 'map'). */
export type NetworkPrefix = keyof typeof TORCH_NETWORKS

const LEAVES = { w: 'weight', b: 'bias' } as const

/** Permutes row-major `data` of `shape` by `perm` (out axis i = in axis perm[i]). */
function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]) {
  const outShape = perm.map((p) => shape[p] ?? 0)
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
  const strides = perm.map((p) => inStrides[p] ?? 0)
  const out = new Float32Array(data.length)
  const idx = new Array<number>(outShape.length).fill(0)
  for (let o = 0; o < out.length; o++) {
    let src = 0
    for (let a = 0; a < idx.length; a++) src += (idx[a] ?? 0) * (strides[a] ?? 0)
    out[o] = data[src] ?? 0
    for (let a = idx.length - 1; a >= 0; a--) {
      idx[a] = (idx[a] ?? 0) + 1
      if (idx[a] !== outShape[a]) break
      idx[a] = 0
    }
  }
  return { shape: outShape, data: out }
}

/** Our layout -> PyTorch's: conv [k, k, cin, cout] -> [cout, cin, k, k]; dense [in, out] -> [out, in]. */
function layoutToTorch(t: SafeTensor): SafeTensor {
  if (t.shape.length === 4) return permute(t.data, t.shape, [3, 2, 0, 1])
  if (t.shape.length === 2) return permute(t.data, t.shape, [1, 0])
  return t
}

/** PyTorch's layout -> ours (the inverse of layoutToTorch). */
function layoutFromTorch(t: SafeTensor): SafeTensor {
  if (t.shape.length === 4) return permute(t.data, t.shape, [2, 3, 1, 0])
  if (t.shape.length === 2) return permute(t.data, t.shape, [1, 0])
  return t
}

/** 'enc/block1/conv1/w' -> 'encoder.block1.conv1.weight'; null for a name outside the four nets. */
export function torchName(name: string): string | null {
  const parts = name.split('/')
  const net = TORCH_NETWORKS[parts[0] as NetworkPrefix] as string | undefined
  const leaf = LEAVES[parts[parts.length - 1] as keyof typeof LEAVES] as string | undefined
  if (!net || !leaf || parts.length < 3) return null
  return [net, ...parts.slice(1, -1), leaf].join('.')
}

/** 'encoder.block1.conv1.weight' -> 'enc/block1/conv1/w'; null for a name outside the four nets. */
export function stepName(torch: string): string | null {
  const parts = torch.split('.')
  const net = Object.entries(TORCH_NETWORKS).find(([, t]) => t === parts[0])?.[0]
  const leaf = Object.entries(LEAVES).find(([, t]) => t === parts[parts.length - 1])?.[0]
  if (!net || !leaf || parts.length < 3) return null
  return [net, ...parts.slice(1, -1), leaf].join('/')
}

/** One of our parameters as the twin's state-dict entry. */
export function toTorch(name: string, t: SafeTensor): [string, SafeTensor] {
  const n = torchName(name)
  if (!n) throw new RangeError(`parameter '${name}' belongs to none of E, G, D, M`)
  return [n, layoutToTorch(t)]
}

/** One state-dict entry of the twin as our parameter; null when the name is not a network's. */
export function fromTorch(torch: string, t: SafeTensor): [string, SafeTensor] | null {
  const n = stepName(torch)
  return n ? [n, layoutFromTorch(t)] : null
}
