/** The synthetic dataset rendered into memory (browsers, workers): files as Blobs by name. */
import { joinHorizontal } from '../../core/image/compose.js'
import { encodePng } from '../../core/image/encode.js'
import { synthDatasetPlan } from './dataset-plan.js'
import type { SynthDatasetManifest } from './manifest.js'
import { renderPair } from './render.js'
import { sampleScene } from './scene.js'

/** `count` A|B PNGs of side `size` from `seed` (the same bytes `step dataset synth` writes). */
export async function synthFiles(
  count: number,
  size: number,
  seed: number,
  onProgress?: (done: number) => void,
): Promise<{ files: Map<string, Blob>; manifest: SynthDatasetManifest }> {
  const { jobs, manifest } = synthDatasetPlan(count, size, seed)
  const files = new Map<string, Blob>()
  for (const [k, job] of jobs.entries()) {
    const { a, b } = renderPair(sampleScene(job.sceneSeed), job.style, size)
    files.set(
      job.name,
      new Blob([encodePng(joinHorizontal(a, b)) as BlobPart], { type: 'image/png' }),
    )
    onProgress?.(k + 1)
    if (k % 16 === 15) await new Promise((r) => setTimeout(r, 0)) // let cancel messages in
  }
  files.set('styles.json', new Blob([JSON.stringify(manifest)], { type: 'application/json' }))
  return { files, manifest }
}
