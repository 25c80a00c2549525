/**
 * `npm run test:fuzz`: replays the corpus of past failures (test/fuzz/corpus), then fuzzes
 * `--presets` mutated presets and `--images` mutated image files from `--seed`, and prints
 *   fuzz: <P> presets, <I> images, <F> failures, <H> hangs
 * (P and I count every case run, corpus included). Exits 1 on any failure or hang.
 *
 * The cases run in a child process watched by this one: a case slower than CASE_BUDGET_MS is a
 * hang; one that never returns (a synchronous endless loop) is killed after KILL_MS, counted as
 * a hang, and the child restarts after it. `--save-failures` writes failing inputs into the
 * corpus so they are replayed first from then on.
 */
import { fork } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { corpusCases, CORPUS } from './corpus.js'
import { CASE_BUDGET_MS, pollution, prototypeSnapshot, type Outcome } from './check.js'
import { imageCase, runImageCase, seedImages } from './image-fuzz.js'
import { presetCase, runPresetCase, seedPresets } from './preset-fuzz.js'

/** A never-returning case is killed after this long (ms). */
const KILL_MS = 15_000

type Kind = 'preset' | 'image'
type Msg =
  | { t: 'start'; kind: Kind; index: number }
  | { t: 'failure'; kind: Kind; index: number; name: string; reason: string; hang: boolean }
  | { t: 'end'; presets: number; images: number }

const { values } = parseArgs({
  options: {
    presets: { type: 'string', default: '10000' },
    images: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'save-failures': { type: 'boolean', default: false },
    child: { type: 'boolean', default: false },
    'from-preset': { type: 'string', default: '0' },
    'from-image': { type: 'string', default: '0' },
    'no-corpus': { type: 'boolean', default: false },
  },
})
const presets = Number(values.presets)
const images = Number(values.images)
const seed = Number(values.seed)

function child(): void {
  const send = (m: Msg) => process.send?.(m)
  let snapshot = prototypeSnapshot()
  let nPresets = 0
  let nImages = 0
  const one = (kind: Kind, index: number, name: string, run: () => Outcome) => {
    send({ t: 'start', kind, index })
    const t0 = performance.now()
    let outcome: Outcome
    try {
      outcome = run()
    } catch (err) {
      // the cases' runners catch everything; this is the harness itself failing
      outcome = { kind: 'failure', reason: `harness: ${String(err)}` }
    }
    const ms = performance.now() - t0
    const polluted = pollution(snapshot)
    if (polluted) {
      outcome = { kind: 'failure', reason: `prototype pollution: ${polluted}` }
      snapshot = prototypeSnapshot()
    }
    const hang = ms > CASE_BUDGET_MS
    if (outcome.kind === 'failure' || hang) {
      const reason = outcome.kind === 'failure' ? outcome.reason : `took ${ms.toFixed(0)} ms`
      send({ t: 'failure', kind, index, name, reason, hang })
    }
  }
  /** A case made by the mutator (outside the timed part); null, reported, if the harness failed. */
  const generate = <T>(name: string, make: () => T): T | null => {
    try {
      return make()
    } catch (err) {
      send({
        t: 'failure',
        kind: 'preset',
        index: -1,
        name,
        reason: `harness: ${String(err)}`,
        hang: false,
      })
      return null
    }
  }
  const fromPreset = Number(values['from-preset'])
  const fromImage = Number(values['from-image'])
  if (!values['no-corpus']) {
    const corpus = corpusCases()
    for (const c of corpus.presets) {
      one('preset', -1, c.name, () => runPresetCase(c))
      nPresets++
    }
    for (const c of corpus.images) {
      one('image', -1, c.name, () => runImageCase(c.name, c.bytes))
      nImages++
    }
  }
  const pSeeds = seedPresets()
  for (let i = fromPreset; i < presets; i++) {
    const c = generate(`preset-${seed}-${i}`, () => presetCase(pSeeds, seed, i))
    if (c) one('preset', i, c.name, () => runPresetCase(c))
    nPresets++
  }
  const iSeeds = seedImages()
  for (let i = fromImage; i < images; i++) {
    const c = generate(`image-${seed}-${i}.bin`, () => imageCase(iSeeds, seed, i))
    if (c) one('image', i, c.name, () => runImageCase(c.name, c.bytes))
    nImages++
  }
  send({ t: 'end', presets: nPresets, images: nImages })
}

function save(kind: Kind, index: number): void {
  if (!values['save-failures'] || index < 0) return
  if (kind === 'preset') {
    const c = presetCase(seedPresets(), seed, index)
    mkdirSync(join(CORPUS, 'presets'), { recursive: true })
    writeFileSync(
      join(CORPUS, 'presets', `${c.name}${c.mode === 'object' ? '.obj' : ''}.json`),
      c.text,
    )
  } else {
    const c = imageCase(seedImages(), seed, index)
    mkdirSync(join(CORPUS, 'images'), { recursive: true })
    writeFileSync(join(CORPUS, 'images', c.name), c.bytes)
  }
}

async function parent(): Promise<number> {
  let p = 0
  let i = 0
  let failures = 0
  let hangs = 0
  let from = { preset: 0, image: 0 }
  let restarted = false
  const t0 = Date.now()
  for (;;) {
    const args = [
      '--child',
      `--presets=${presets}`,
      `--images=${images}`,
      `--seed=${seed}`,
      `--from-preset=${from.preset}`,
      `--from-image=${from.image}`,
      ...(values['no-corpus'] || restarted ? ['--no-corpus'] : []),
    ]
    const proc = fork(import.meta.filename, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let current: { kind: Kind; index: number; at: number } | null = null
    let ended = false
    const killed = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        if (current && Date.now() - current.at > KILL_MS) {
          clearInterval(timer)
          proc.kill('SIGKILL')
          resolve(true)
        }
      }, 250)
      proc.on('message', (m: Msg) => {
        if (m.t === 'start') current = { kind: m.kind, index: m.index, at: Date.now() }
        else if (m.t === 'failure') {
          if (m.hang) hangs++
          else failures++
          console.error(`${m.hang ? 'HANG' : 'FAILURE'} ${m.name}: ${m.reason}`)
          save(m.kind, m.index)
        } else {
          ended = true
          p += m.presets
          i += m.images
        }
      })
      proc.on('exit', () => {
        clearInterval(timer)
        resolve(false)
      })
    })
    if (ended) break
    const stuck = current as { kind: Kind; index: number; at: number } | null
    if (!stuck) {
      console.error('fuzz: the child process died before running a case')
      failures++
      break
    }
    // the child hung (killed) or crashed inside a case: count it, resume after it
    if (killed) hangs++
    else failures++
    console.error(`${killed ? 'HANG (killed)' : 'CRASH'} ${stuck.kind} case ${stuck.index}`)
    save(stuck.kind, stuck.index)
    restarted = true
    // cases run so far in that child are not reported by it; count them from the indices
    if (stuck.index < 0) {
      // in the corpus: the remaining corpus cases are skipped
    } else if (stuck.kind === 'preset') {
      p += stuck.index + 1 - from.preset
      from = { preset: stuck.index + 1, image: 0 }
    } else {
      p += presets - from.preset
      i += stuck.index + 1 - from.image
      from = { preset: presets, image: stuck.index + 1 }
    }
  }
  console.error(`fuzz: ${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${seed}`)
  console.log(`fuzz: ${p} presets, ${i} images, ${failures} failures, ${hangs} hangs`)
  return failures + hangs > 0 ? 1 : 0
}

if (values.child) child()
else process.exitCode = await parent()
