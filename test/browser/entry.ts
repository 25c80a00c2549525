/**
 * Runs in Chromium (bundled by vite in smoke.test.ts): decodes PNG and JPEG with the project's
 * codecs, initialises each tfjs backend through initBackend, and runs the probe net on it.
 * Results are left on `window.__stepSmoke` for the test to read.
 */
import { decodeImage } from '../../src/core/image/decode.js'
import { encodePng } from '../../src/core/image/encode.js'
import { createRgbImage } from '../../src/core/image/types.js'
import { initBackend, type BackendName } from '../../src/runtime/backend.js'
import { probeInput, probeWeights, runProbe } from '../fixtures/probe-net.js'

interface BackendResult {
  backend: BackendName
  ok: boolean
  error?: string
  adapter?: string | null
  outputs?: number[][]
}

async function run(): Promise<unknown> {
  const img = createRgbImage(8, 4)
  img.data.forEach((_, i) => (img.data[i] = (i * 37) % 256))
  const png = decodeImage(encodePng(img), { where: 'in-browser.png' })
  // JPEG bytes are made in Node (jpeg-js's encoder needs Buffer) and fetched like a user's file.
  const jpg = decodeImage(new Uint8Array(await (await fetch('/fixture.jpg')).arrayBuffer()), {
    where: 'fixture.jpg',
  })
  let truncated = ''
  try {
    decodeImage(encodePng(img).subarray(0, 40), { where: 'cut.png' })
  } catch (err) {
    truncated = String(err instanceof Error ? err.message : err)
  }
  const auto = await initBackend({ prefer: 'auto', wasmPaths: '/wasm/' })
  const weights = probeWeights(7)
  const input = probeInput(11)
  const results: BackendResult[] = []
  for (const backend of ['cpu', 'webgl', 'wasm', 'webgpu'] as const) {
    try {
      const info = await initBackend({ prefer: backend, wasmPaths: '/wasm/' })
      const outputs = await runProbe(weights, input)
      results.push({
        backend,
        ok: true,
        adapter: info.adapter
          ? `${info.adapter.vendor} ${info.adapter.architecture} ${info.adapter.description}`
          : null,
        outputs: outputs.map((o) => Array.from(o)),
      })
    } catch (err) {
      results.push({ backend, ok: false, error: err instanceof Error ? err.message : String(err) })
    }
  }
  return {
    png: { same: png.data.every((v, i) => v === img.data[i]), width: png.width },
    jpeg: {
      width: jpg.width,
      height: jpg.height,
      mean: jpg.data.reduce((s, v) => s + v, 0) / jpg.data.length,
    },
    truncated,
    auto: { backend: auto.backend, platform: auto.platform, attempts: auto.attempts },
    results,
  }
}

const w = window as unknown as { __stepSmoke?: unknown }
run().then(
  (r) => (w.__stepSmoke = r),
  (err: unknown) =>
    (w.__stepSmoke = {
      fatal: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err),
    }),
)
