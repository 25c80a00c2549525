/**
 * Loads the weights a truncated trunk needs and builds the tfjs LayersModel in memory (no
 * tfjs-node, no file:// handler): shards are read in manifest order only until every kept
 * weight is covered, then the kept byte ranges are packed into one buffer for tf.io.fromMemory.
 */
import * as tf from '@tensorflow/tfjs'
import type { ModelFiles } from './source.js'
import { truncateTopology, type ModelJson, type WeightEntry } from './topology.js'
import { trunkOf, type Trunk } from './trunk.js'

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  uint16: 2,
  float16: 2,
  uint8: 1,
  bool: 1,
}

function byteSize(w: WeightEntry): number {
  const dtype = w.quantization?.dtype ?? w.dtype
  const bytes = DTYPE_BYTES[dtype]
  if (bytes === undefined) throw new Error(`weight '${w.name}': unsupported dtype '${dtype}'`)
  return w.shape.reduce((a, b) => a * b, 1) * bytes
}

/** The layer a weight belongs to: the first segment of its name that is a layer name. */
function ownerOf(weightName: string, allLayers: ReadonlySet<string>): string | undefined {
  return weightName.split('/').find((seg) => allLayers.has(seg))
}

/** Weights of the kept layers (specs in manifest order, bytes packed in the same order). */
async function keptWeights(
  model: ModelJson,
  files: ModelFiles,
  kept: ReadonlySet<string>,
  allLayers: ReadonlySet<string>,
): Promise<{ specs: WeightEntry[]; data: ArrayBuffer }> {
  const ranges: { group: number; start: number; spec: WeightEntry }[] = []
  const needBytes: number[] = []
  model.weightsManifest.forEach((group, g) => {
    let offset = 0
    needBytes[g] = 0
    for (const spec of group.weights) {
      const size = byteSize(spec)
      const owner = ownerOf(spec.name, allLayers)
      if (owner !== undefined && kept.has(owner)) {
        ranges.push({ group: g, start: offset, spec })
        needBytes[g] = offset + size
      }
      offset += size
    }
  })
  const groups: Uint8Array[] = []
  for (const [g, group] of model.weightsManifest.entries()) {
    const parts: Uint8Array[] = []
    let have = 0
    for (const p of group.paths) {
      if (have >= (needBytes[g] ?? 0)) break
      const shard = new Uint8Array(await files.readShard(p))
      parts.push(shard)
      have += shard.byteLength
    }
    if (have < (needBytes[g] ?? 0)) {
      throw new Error(`${files.location}: weight group ${g} has ${have} bytes, needs more`)
    }
    groups[g] = concat(parts)
  }
  const total = ranges.reduce((s, r) => s + byteSize(r.spec), 0)
  const data = new Uint8Array(total)
  let at = 0
  for (const r of ranges) {
    const size = byteSize(r.spec)
    data.set((groups[r.group] ?? new Uint8Array()).subarray(r.start, r.start + size), at)
    at += size
  }
  return { specs: ranges.map((r) => r.spec), data: data.buffer }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0]
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** Loads the trunk of `model` up to `taps` at input size `size`; it returns the taps in order. */
export async function loadTrunk(
  model: ModelJson,
  files: ModelFiles,
  taps: readonly string[],
  size: number,
): Promise<Trunk> {
  const { modelTopology, kept, allLayers, plan } = truncateTopology(model, taps, size)
  const { specs, data } = await keptWeights(model, files, kept, allLayers)
  const weightSpecs = specs.map((s) => s as tf.io.WeightsManifestEntry)
  const handler = tf.io.fromMemory({ modelTopology, weightSpecs, weightData: data })
  // strict: every kept layer must receive its weights (a silent random init would be worse).
  const loaded = await tf.loadLayersModel(handler, { strict: true })
  return trunkOf(loaded, plan, taps)
}
