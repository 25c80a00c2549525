/**
 * Crash safety of checkpoint saves (files.node.ts): a child process saves versions of
 * a model-sized checkpoint in a loop and is killed with SIGKILL at seeded random moments; after
 * each kill the folder must load (checksums verified) and hold, bit for bit, the last version the
 * child reported saved or the one it was committing. 50 kills in two folders, two at a time.
 * The child is bundled once with vite into one .mjs: plain node starts it in ~0.3 s where tsx
 * takes ~1.3 s, which would triple the test's time.
 */
import * as tf from '@tensorflow/tfjs'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../src/core/rng.js'
import { assembleCheckpoint } from '../src/checkpoint/manifest.js'
import { writeCheckpointFiles } from '../src/checkpoint/files.node.js'
import { loadCheckpoint } from '../src/checkpoint/folder-store.node.js'
import {
  CRASH_GROUPS,
  versionDraft,
  versionGroups,
  versionValues,
} from './helpers/checkpoint-versions.js'

const SAVER = join(import.meta.dirname, 'helpers/checkpoint-saver.ts')
const KILLS = 50
/** Kill delays after the child's `ready`, in ms: a save of ~1.8 MB takes ~20 ms here. */
const MAX_DELAY_MS = 120

let saverBundle = ''

beforeAll(async () => {
  await tf.setBackend('cpu')
  const outDir = await mkdtemp(join(tmpdir(), 'step-saver-'))
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      ssr: SAVER,
      outDir,
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'saver.mjs' } },
    },
    ssr: { noExternal: true, target: 'node' },
  })
  saverBundle = join(outDir, 'saver.mjs')
})

/** Runs the saver from version `start`, kills it `delayMs` after `ready`; the versions it saved. */
function saveUntilKilled(dir: string, start: number, delayMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [saverBundle, dir, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | undefined
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      out += chunk
      if (timer === undefined && out.startsWith('ready\n'))
        timer = setTimeout(() => child.kill('SIGKILL'), delayMs)
    })
    child.stderr.on('data', (chunk: string) => (err += chunk))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`saver exited with ${code ?? signal} before the kill: ${err}`))
        return
      }
      const saved = [...out.matchAll(/^saved (\d+)$/gm)].map((m) => Number(m[1]))
      resolve(saved)
    })
  })
}

/** The version held by `dir`, after checking every group against it bit for bit. */
async function loadedVersion(dir: string): Promise<number> {
  const loaded = await loadCheckpoint(dir)
  try {
    const v = loaded.manifest.training.version
    if (typeof v !== 'number') throw new Error(`${dir}: no version in the manifest`)
    expect(loaded.manifest.step).toBe(v % 3)
    for (const group of Object.keys(CRASH_GROUPS) as (keyof typeof CRASH_GROUPS)[]) {
      const tensor = loaded.groups[group]?.[0]?.tensor
      if (!tensor) throw new Error(`${dir}: no '${group}' group`)
      const got = new Uint8Array((await tensor.data()).buffer)
      expect(Buffer.from(got).equals(Buffer.from(versionValues(group, v).buffer))).toBe(true)
    }
    return v
  } finally {
    for (const g of Object.values(loaded.groups)) tf.dispose(g.map((x) => x.tensor))
  }
}

/** One folder: a first complete save, then `kills` killed savers, each checked. */
async function lane(dir: string, delays: readonly number[]): Promise<{ committed: number }> {
  const first = await assembleCheckpoint(versionDraft(0), versionGroups(0))
  await writeCheckpointFiles(dir, first.manifest, first.files)
  let held = 0
  let next = 1
  let committed = 0
  for (const delay of delays) {
    const saved = await saveUntilKilled(dir, next, delay)
    const reported = saved.at(-1)
    const v = await loadedVersion(dir)
    // the last version reported saved (or the one held before), or the version being committed
    const committing = reported === undefined ? next : reported + 1
    expect([reported ?? held, committing]).toContain(v)
    if (v === committing) committed++
    held = v
    next = Math.max(next, ...saved, v) + 1 // versions never repeat across children
  }
  return { committed }
}

describe('checkpoint saves killed with SIGKILL', () => {
  it(`leave the previous or the new checkpoint loadable, bit for bit, at ${KILLS} of ${KILLS} random kill points`, async () => {
    const rng = createRng(20_260_012)
    const delays = Array.from({ length: KILLS }, () => rng.int(MAX_DELAY_MS))
    const root = await mkdtemp(join(tmpdir(), 'step-crash-'))
    const dirs = [join(root, 'a'), join(root, 'b')]
    const t0 = performance.now()
    const results = await Promise.all(
      dirs.map((dir, i) =>
        lane(
          dir,
          delays.filter((_, k) => k % dirs.length === i),
        ),
      ),
    )
    const seconds = (performance.now() - t0) / 1000
    const committed = results.reduce((s, r) => s + r.committed, 0)
    console.log(
      `${KILLS} kills in ${seconds.toFixed(1)} s; ${committed} landed between a commit and its report`,
    )
    // a last uninterrupted save clears what the kills left behind (old files, dead temp files)
    for (const dir of dirs) {
      const last = await assembleCheckpoint(versionDraft(9999), versionGroups(9999))
      await writeCheckpointFiles(dir, last.manifest, last.files)
      expect((await readdir(dir)).sort()).toEqual(['manifest.json', ...last.files.keys()].sort())
      expect(await loadedVersion(dir)).toBe(9999)
    }
  }, 180_000)
})
