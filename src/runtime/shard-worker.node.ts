/**
 * The worker thread of a data-parallel stage-2/3 step (shard-pool.node.ts): a single-threaded
 * wasm backend, replicas of E, G and D built from the run's config, and the run's perceptual
 * features. It answers each job (weights and a shard of the batch, train/gan/shards.ts) with the
 * shard's losses and gradients.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createDiscriminator } from '../models/discriminator.js'
import { createEncoder } from '../models/encoder.js'
import { loadFeatureExtractor } from '../models/features/index.js'
import { createGenerator } from '../models/generator.js'
import { GradientComputer } from '../train/gan/gradients.js'
import { computeShard, type ShardSpec } from '../train/gan/shards.js'
import { initBackend } from './backend.js'
import type { ShardReply, ShardRequest } from './shard-pool.node.js'

const port = parentPort
if (!port) throw new Error('shard-worker-node: not started as a worker thread')
const post = (reply: ShardReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer)
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

try {
  const spec = workerData as ShardSpec
  await initBackend({ prefer: 'wasm', threads: 1 })
  const { config } = spec
  const nets = {
    encoder: createEncoder(config.encoder),
    generator: createGenerator(config.generator),
    discriminator: createDiscriminator(config.discriminator),
  }
  const extractor = await loadFeatureExtractor(spec.features, spec.featureOptions)
  if (extractor.fingerprint !== spec.fingerprint)
    throw new Error(
      `the worker's features (${extractor.description}) differ from the run's (fingerprint ${spec.fingerprint})`,
    )
  const computer = new GradientComputer(nets, extractor, {
    trainEncoder: spec.trainEncoder,
    weights: spec.weights,
  })
  port.on('message', (request: ShardRequest) => {
    computeShard(computer, request.job).then(
      (result) => {
        const buffers = [...result.g, ...result.d].map((a) => a.buffer as ArrayBuffer)
        post({ type: 'result', id: request.id, result }, buffers)
      },
      (err: unknown) => post({ type: 'error', id: request.id, message: message(err) }),
    )
  })
  post({ type: 'ready' })
} catch (err) {
  post({ type: 'error', id: -1, message: message(err) })
}
