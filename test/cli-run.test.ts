/** `step run` and `step nodes` end to end (child processes, as a user runs them). */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { step } from './helpers/step-cli.js'

let tmp = ''
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'step-run-'))
})

describe('step run', () => {
  it('runs the default preset with per-node progress lines and writes its images', async () => {
    const out = join(tmp, 'default')
    const r = step('run', 'examples/presets/default.json', '--out', out, '--backend', 'wasm')
    expect(r.stderr).not.toMatch(/warning/)
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/node 5 \(Generate samples\): running/)
    expect(r.stdout).toMatch(/node 5 \(Generate samples\): done in/)
    expect(r.stdout).toMatch(/done: 14 executed, 0 cached; seeds \{"3":\{"seed":7\}\}/)
    expect((await readdir(out)).sort()).toEqual([
      'preview-13.png',
      'preview-14.png',
      'samples.png',
      'transfer.png',
    ])
  })

  it('--until runs only the target and its ancestors; --set changes a widget', () => {
    const r = step(
      'run',
      'examples/presets/random-sampling.json',
      '--out',
      join(tmp, 'until'),
      '--until',
      'Mapper',
      '--set',
      'Gaussian Sample.seed=5',
      '--backend',
      'wasm',
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/done: 3 executed, 0 cached; seeds \{"3":\{"seed":5\}\}/)
  })

  it('reports an invalid graph node by node and exits 1', async () => {
    const bad = join(tmp, 'bad.json')
    await writeFile(
      bad,
      JSON.stringify({
        schemaVersion: 1,
        nodes: [
          { id: 1, type: 'step/gaussian-sample', properties: { count: 0 } },
          { id: 2, type: 'step/mapper', inputs: [{ name: 'noise', link: 1 }] },
        ],
        links: [[1, 1, 0, 2, 0, 'Noise']],
      }),
    )
    const r = step('run', bad, '--out', join(tmp, 'bad'), '--backend', 'wasm')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /node 1 \(Gaussian Sample\): widget 'count': expected a value in \[1, 1024\], got 0/,
    )
    expect(r.stderr).toMatch(
      /node 2 \(Mapper\): required input 'mapper' \(Mapper\) is not connected/,
    )
  })

  it('names a bad --set and a missing preset file', () => {
    const r1 = step('run', 'examples/presets/default.json', '--set', 'Nobody.seed=1')
    expect(r1.code).toBe(1)
    expect(r1.stderr).toMatch(/Nobody\.seed=1: no node titled 'Nobody'/)
    const r2 = step('run', join(tmp, 'none.json'))
    expect(r2.code).toBe(1)
    expect(r2.stderr).toMatch(/none\.json: cannot read/)
  })
})

describe('step nodes', () => {
  it('lists every node type with sockets and widgets, as text and as JSON', () => {
    const text = step('nodes')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/Generate {2}\[step\/generate\]/)
    expect(text.stdout).toMatch(
      /inputs: {2}content: ImageBatch, style: StyleCode, generator: Generator/,
    )
    const json = step('nodes', '--json')
    const list = JSON.parse(json.stdout) as { type: string; widgets: Record<string, unknown> }[]
    expect(list).toHaveLength(24)
    expect(list.find((n) => n.type === 'step/gaussian-sample')?.widgets).toEqual({
      count: { kind: 'int', default: 8, min: 1, max: 1024 },
      zDim: { kind: 'int', default: 8, min: 1, max: 512 },
      seed: { kind: 'seed', default: 1 },
    })
  })
})
