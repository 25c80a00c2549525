/**
 * Writes a synthetic dataset folder (Node only): side-by-side A|B PNGs (pix2pix format) and
 * styles.json. Output is byte-identical for the same arguments. Never writes into a non-empty folder
 * that this generator did not create.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { InputError, errorMessage, invalidArgument } from '../../core/errors.js'
import { joinHorizontal } from '../../core/image/compose.js'
import { encodePng } from '../../core/image/encode.js'
import { assertSeed } from '../../core/rng.js'
import {
  SAMPLE_NAME,
  SYNTH_FORMATS,
  parseSynthDatasetManifest,
  type SynthDatasetManifest,
  type SynthManifest,
  type SynthRestyleManifest,
} from './manifest.js'
import { prepareOutputDir } from '../output-dir.node.js'
import { planRestyle } from './plan.js'
import { renderPair } from './render.js'
import { sampleScene } from './scene.js'
import { synthDatasetPlan } from './dataset-plan.js'
import { STYLE_CLUSTER_COUNT, styleParams, withCluster, type SynthStyleParams } from './style.js'

/** Options of writeSynthDataset. */
export interface SynthWriteOptions {
  /** Output folder (created when missing). */
  readonly out: string
  /** Number of samples, 1..100000. */
  readonly count: number
  /** Side of A and B in pixels, 16..1024 (each PNG is 2*size x size). */
  readonly size: number
  /** Seed of the dataset (or of the pairing, when restyling). */
  readonly seed: number
  /** A folder written by this generator: draw scenes and styles from its styles.json instead. */
  readonly restyleOf?: string
  /** Called after each written sample. */
  readonly onProgress?: (done: number, total: number) => void
}

/** Largest sample count. */
export const MAX_SYNTH_COUNT = 100_000

function checkInt(name: string, value: number, lo: number, hi: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw invalidArgument(name, value, `an integer in [${lo}, ${hi}]`)
  }
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT'
}

/** Reads and validates `dir`/styles.json of a synthetic dataset. */
export async function readSynthManifest(dir: string): Promise<SynthDatasetManifest> {
  const file = join(dir, 'styles.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const why = isMissing(err)
      ? 'not found (expected a synthetic dataset folder)'
      : errorMessage(err)
    throw new InputError('synth/manifest', why, file, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InputError('synth/manifest', `not valid JSON: ${errorMessage(err)}`, file)
  }
  return parseSynthDatasetManifest(json, file)
}

/** What is read of a previous run's styles.json in the output folder. */
const previousRun = z.looseObject({
  format: z.enum(SYNTH_FORMATS),
  samples: z.array(z.looseObject({ name: z.string() })).optional(),
})

/** Sample files listed by a previous run's styles.json (those the new run does not rewrite go). */
function previousSamples(manifest: unknown): string[] {
  const parsed = previousRun.safeParse(manifest)
  if (!parsed.success) return []
  return (parsed.data.samples ?? []).map((s) => s.name).filter((name) => SAMPLE_NAME.test(name))
}

interface Job {
  readonly name: string
  readonly sceneSeed: number
  readonly style: SynthStyleParams
}

/**
 * Writes `count` A|B pairs and styles.json into `out`. With `restyleOf`, A is the line drawing of
 * source scene i and B that scene in the style of source sample j != i.
 */
export async function writeSynthDataset(options: SynthWriteOptions): Promise<SynthManifest> {
  const { out, count, size, seed, restyleOf, onProgress } = options
  if (typeof out !== 'string' || out === '') throw invalidArgument('out', out, 'a folder path')
  checkInt('count', count, 1, MAX_SYNTH_COUNT)
  checkInt('size', size, 16, 1024)
  assertSeed(seed)
  let manifest: SynthManifest
  let jobs: Job[]
  if (restyleOf !== undefined) {
    if (typeof restyleOf !== 'string' || restyleOf === '') {
      throw invalidArgument('restyleOf', restyleOf, 'a folder path')
    }
    if (resolve(restyleOf) === resolve(out)) {
      throw invalidArgument('out', out, 'a folder other than the restyle source')
    }
    const source = await readSynthManifest(restyleOf)
    const src = source.samples.map((s) => ({ ...s, style: withCluster(s.style) }))
    const plan = planRestyle(src, count, seed)
    jobs = plan.map((p) => ({ name: p.name, sceneSeed: p.sceneSeed, style: p.styleParams }))
    const restyle: SynthRestyleManifest = {
      format: 'step-synth-restyle',
      version: 1,
      seed,
      size,
      count,
      clusters: STYLE_CLUSTER_COUNT,
      sourceDir: restyleOf,
      samples: plan.map((p) => ({
        name: p.name,
        content: src[p.content]?.name ?? '',
        style: src[p.style]?.name ?? '',
        sceneSeed: p.sceneSeed,
        cluster: p.styleParams.cluster,
        styleParams: styleParams(p.styleParams),
      })),
    }
    manifest = restyle
  } else {
    const plan = synthDatasetPlan(count, size, seed)
    jobs = plan.jobs
    manifest = plan.manifest
  }
  const previous = await prepareOutputDir(
    out,
    'styles.json',
    (m) => previousRun.safeParse(m).success,
  )
  const stale = previousSamples(previous)
  // The manifest goes first, so an interrupted run still leaves a folder marked as ours.
  await writeFile(join(out, 'styles.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  for (let k = 0; k < jobs.length; k++) {
    const job = jobs[k] as Job
    const { a, b } = renderPair(sampleScene(job.sceneSeed), job.style, size)
    await writeFile(join(out, job.name), encodePng(joinHorizontal(a, b)))
    onProgress?.(k + 1, jobs.length)
  }
  const written = new Set(jobs.map((j) => j.name))
  for (const name of stale) if (!written.has(name)) await rm(join(out, name), { force: true })
  return manifest
}
