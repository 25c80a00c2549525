/** `step encode`: style codes of images with a trained encoder, one JSON line per image. */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { errorMessage } from '../../core/errors.js'
import { fitImage } from '../../core/image/resize.js'
import { imageToTensor } from '../../core/image/tensor.js'
import { initBackend } from '../../runtime/backend.js'
import { loadCheckpoint } from '../../checkpoint/folder-store.node.js'
import { encoderFromCheckpoint } from '../../inference/load-encoder.js'
import { UsageError } from '../args.js'
import { say, warn, type Command } from '../command.js'
import { readImage } from '../model-io.js'

const usage = `step encode --model CKPT [--backend auto|wasm|webgpu|cpu] IMAGE...

Prints one JSON line per image: { "file": ..., "z": [8 numbers] }. Images are fitted (scale +
centre crop) to the size the encoder was trained at. Unreadable images are reported on stderr.`

/** The command. */
export const encodeCommand: Command = {
  name: 'encode',
  summary: 'print the style code z of each image (JSON lines)',
  usage,
  async run(argv) {
    let parsed
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          model: { type: 'string' },
          backend: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        allowPositionals: true,
        strict: true,
      })
    } catch (err) {
      throw new UsageError(errorMessage(err))
    }
    const { values, positionals } = parsed
    if (values.help) return (say(usage), 0)
    if (!values.model) throw new UsageError('--model: is required')
    if (positionals.length === 0) throw new UsageError('give at least one IMAGE')
    const prefer = values.backend ?? 'auto'
    if (!['auto', 'wasm', 'webgpu', 'cpu', 'webgl'].includes(prefer))
      throw new UsageError(`--backend: expected auto, wasm, webgpu or cpu (got "${prefer}")`)
    await initBackend({ prefer: prefer as 'auto' })
    const loaded = await loadCheckpoint(values.model)
    const size = loaded.manifest.dataset.size
    const encoder = encoderFromCheckpoint(loaded, values.model)
    let failed = 0
    try {
      for (const file of positionals) {
        try {
          const img = fitImage(await readImage(file), size, size)
          const z = tf.tidy(() => encoder.apply(tf.expandDims<tf.Tensor4D>(imageToTensor(img), 0)))
          const values = Array.from(await z.data(), (v) => Number(v.toFixed(6)))
          z.dispose()
          say(JSON.stringify({ file, z: values }))
        } catch (err) {
          failed++
          warn(
            errorMessage(err).startsWith(file)
              ? errorMessage(err)
              : `${file}: ${errorMessage(err)}`,
          )
        }
      }
    } finally {
      encoder.dispose()
    }
    return failed > 0 ? 1 : 0
  },
}
