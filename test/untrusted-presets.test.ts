/**
 * Untrusted presets are data (docs/decisions/0011-untrusted-presets.md): no code path evaluates
 * preset content, prototype keys cannot pollute, fetches are limited to allowed origins before
 * any request, Node paths stay inside the allowed folders, and sizes are bounded.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { InputError, StepError } from '../src/core/errors.js'
import { fetchCheckpoint } from '../src/checkpoint/fetch-store.js'
import { checkFetchUrl, browserEnv } from '../src/runtime/env-browser.js'
import { folderEnv, isInside } from '../src/runtime/env.node.js'
import { resolveFeatures } from '../src/nodes/training.js'
import { applySet, buildPreset, loadPreset, presetText } from '../src/runtime/preset.js'
import { MAX_PRESET_CHARS, parsePresetText } from '../src/runtime/preset-source.js'

const ROOT = join(import.meta.dirname, '..')

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(f) ? [p] : []
  })
}

/** The code's own dynamic imports whose specifier is a constant held in a variable. */
const ALLOWED_DYNAMIC = new Set([
  'src/runtime/webgpu.node.ts: mod = await import(/* @vite-ignore */ name)',
  // a worker's boot code (as text): tsx's loader and the worker script, both beside this package
  'src/runtime/shard-pool.node.ts: const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}) })`',
  // the quiet WebGPU probe's child script (as text): the installed 'webgpu' package's own file
  'src/runtime/webgpu-quiet.node.ts: const m = await import(url)',
])

describe('no code execution path', () => {
  const sources = [
    ...files(join(ROOT, 'src'), /\.ts$/).filter((f) => !f.endsWith('.test.ts')),
    ...(statSync(join(ROOT, 'dist'), { throwIfNoEntry: false })?.isDirectory()
      ? files(join(ROOT, 'dist'), /\.js$/)
      : []),
  ]

  it('src/ (and dist/ when built) has no eval, Function constructor or string timers', () => {
    expect(sources.length).toBeGreaterThan(100)
    const hits = sources.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) =>
          /\beval\s*\(|\bnew\s+Function\b|[^.\w]Function\s*\(|set(Timeout|Interval)\s*\(\s*['"`]/.test(
            l,
          ),
        )
        .map((l) => `${relative(ROOT, f)}: ${l.trim()}`),
    )
    expect(hits).toEqual([])
  })

  it('every dynamic import has a literal specifier (three reviewed exceptions)', () => {
    const hits = sources
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .filter(
            (l) =>
              /\bimport\s*\(/.test(l) &&
              !/\bimport\s*\(\s*(\/\*.*?\*\/\s*)?['"][^'"]+['"]\s*\)/.test(l),
          )
          .map((l) => `${relative(ROOT, f)}: ${l.trim()}`),
      )
    expect(hits.filter((h) => !ALLOWED_DYNAMIC.has(h))).toEqual([])
    // the exception's specifier is a constant in the code, never preset content
    expect(readFileSync(join(ROOT, 'src/runtime/webgpu.node.ts'), 'utf8')).toContain(
      "const name = 'webgpu'",
    )
    // the shard worker's specifiers are files beside this module and tsx's own API
    const pool = readFileSync(join(ROOT, 'src/runtime/shard-pool.node.ts'), 'utf8')
    expect(pool).toContain("join(dirname(here), 'shard-worker.node.ts')")
    expect(pool).toContain("createRequire(import.meta.url).resolve('tsx/esm/api')")
    // the quiet probe's child imports the file that resolving the package 'webgpu' names
    expect(readFileSync(join(ROOT, 'src/runtime/webgpu-quiet.node.ts'), 'utf8')).toContain(
      "url = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href",
    )
  })
})

describe('prototype pollution', () => {
  const evil =
    '"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"prototype":{"polluted":3}'
  const preset = buildPreset([
    { id: 1, type: 'step/load-image', widgets: { path: 'a.png' } },
    { id: 2, type: 'step/style-encode', inputs: { images: [1, 'image'] } },
  ])
  // the keys at every level: document, nodes, properties (widget names), sockets, links
  const text = JSON.stringify(preset)
    .replace(/\{\}/g, `{${evil}}`)
    .replace(/\{(?=")/g, `{${evil},`)

  it('keys at every level, as a file and through the v0 migration, change no prototype', () => {
    const v1 = loadPreset(parsePresetText(text, 'evil.json'), 'evil.json')
    const v0 = loadPreset(
      parsePresetText(text.replace('"schemaVersion":1,', ''), 'evil0.json'),
      'evil0.json',
    )
    for (const loaded of [v1, v0]) {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(Object.getPrototypeOf({})).toBe(Object.prototype)
      expect(loaded.graph.nodes.map((n) => n.id)).toEqual([1, 2])
      for (const n of loaded.graph.nodes) {
        expect(Object.getPrototypeOf(n.widgets)).toBeNull()
        expect(Object.keys(n.widgets).filter((k) => /proto|constructor/.test(k))).toEqual([])
        expect([null, Object.prototype]).toContain(Object.getPrototypeOf(n.inputs))
        expect(Object.hasOwn(n.inputs, '__proto__')).toBe(false)
      }
      expect(v1.graph.nodes[0]?.widgets.path).toBe('a.png')
      expect(v1.graph.nodes[1]?.inputs.images).toEqual({ node: 1, output: 'image' })
      // saving writes the keys back as plain data and loads again the same way
      expect(loadPreset(JSON.parse(presetText(loaded.preset)), 'again').graph.nodes).toHaveLength(2)
    }
  })

  it('--set on a prototype key names the widget and changes nothing', () => {
    expect(() => applySet(preset, '#1.__proto__=1')).toThrow(
      "node 1 (#1) has no widget '__proto__'",
    )
    expect(() => applySet(preset, '#1.constructor=1')).toThrow("has no widget 'constructor'")
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('URL policy (browser)', () => {
  const fetched: string[] = []
  afterEach(() => {
    fetched.length = 0
    vi.unstubAllGlobals()
  })
  const stub = () =>
    vi.stubGlobal('fetch', (input: string | URL | Request) => {
      fetched.push(String(input instanceof Request ? input.url : input))
      return Promise.resolve(new Response(new Uint8Array([1, 2, 3])))
    })
  const env = (allowOrigins?: string[]) =>
    browserEnv({
      baseUrl: 'https://app.example/presets/p.json',
      defaultModelUrl: 'https://app.example/models/default/',
      ...(allowOrigins ? { allowOrigins } : {}),
    })

  it('same origin is fetched; another origin is refused BEFORE any request', async () => {
    stub()
    await expect(env().readBytes('../images/a.png')).resolves.toEqual(new Uint8Array([1, 2, 3]))
    expect(fetched).toEqual(['https://app.example/images/a.png'])
    await expect(env().readBytes('https://evil.example/x.png')).rejects.toThrow(
      'https://evil.example/x.png: origin https://evil.example is not allowed (same origin https://app.example only); the embedding page can allow it with allowOrigins',
    )
    await expect(env().loadCheckpoint('//evil.example/model')).rejects.toMatchObject({
      code: 'url/not-allowed',
      where: '//evil.example/model',
    })
    expect(fetched).toEqual(['https://app.example/images/a.png'])
  })

  it('allowOrigins lets the embedding page add origins; "*" allows any', async () => {
    stub()
    await env(['https://cdn.example/']).readBytes('https://cdn.example/s.png')
    await env(['*']).readBytes('https://elsewhere.example/s.png')
    await expect(
      env(['https://cdn.example']).readBytes('http://cdn.example/s.png'),
    ).rejects.toMatchObject({
      code: 'url/not-allowed',
    })
    expect(fetched).toEqual(['https://cdn.example/s.png', 'https://elsewhere.example/s.png'])
  })

  it('data: is allowed (no request leaves the page), other schemes are refused', () => {
    expect(() =>
      checkFetchUrl('data:image/png;base64,AAAA', 'https://a.example', [], 'w'),
    ).not.toThrow()
    expect(() =>
      checkFetchUrl('blob:https://a.example/1234', 'https://a.example', [], 'w'),
    ).not.toThrow()
    expect(() =>
      checkFetchUrl('blob:https://b.example/1234', 'https://a.example', [], 'w'),
    ).toThrow(/origin https:\/\/b\.example is not allowed/)
    for (const u of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://a.example/x'])
      expect(() => checkFetchUrl(u, 'https://a.example', ['*'], 'w')).toThrow(
        /URLs are not fetched/,
      )
  })

  it('fetches refuse redirects (a redirect could leave the checked origins)', async () => {
    const redirects: (string | undefined)[] = []
    vi.stubGlobal('fetch', (_input: string, init?: RequestInit) => {
      redirects.push(init?.redirect)
      return Promise.resolve(new Response(new Uint8Array([1])))
    })
    await env().readBytes('a.png')
    await expect(env().loadCheckpoint('models/m')).rejects.toThrow() // the stub is no manifest
    expect(redirects).toEqual(['error', 'error'])
  })

  it('a path that is no URL is an InputError naming it; scheme-less allowOrigins are refused', async () => {
    await expect(env().readBytes('http://[::1')).rejects.toMatchObject({
      code: 'url/invalid',
      where: 'http://[::1',
    })
    expect(() => env(['cdn.example'])).toThrow(
      "allowOrigins entry 'cdn.example' is not an origin with its scheme; write e.g. 'https://cdn.example' or '*'",
    )
    expect(() => env(['localhost:8080'])).toThrow("allowOrigins entry 'localhost:8080'")
  })

  it("the page's own origin is location.origin by default, not the preset URL's", async () => {
    stub()
    vi.stubGlobal('location', { origin: 'https://page.example' })
    const e = browserEnv({
      baseUrl: 'https://cdn.example/presets/p.json',
      defaultModelUrl: 'https://page.example/models/default/',
    })
    await expect(e.readBytes('a.png')).rejects.toMatchObject({ code: 'url/not-allowed' })
    await e.readBytes('https://page.example/a.png')
    expect(fetched).toEqual(['https://page.example/a.png'])
  })

  it("a checkpoint file refused by the caller's policy keeps its own error", async () => {
    const refuse = () => Promise.reject(new InputError('url/not-allowed', 'refused', 'm'))
    await expect(fetchCheckpoint('https://app.example/m', refuse)).rejects.toMatchObject({
      code: 'url/not-allowed',
      message: 'm: refused',
    })
  })

  it("a features widget's vgg16 URL is checked and resolved (training nodes load the result)", () => {
    expect(() => resolveFeatures('vgg16:https://evil.example/vgg/model.json', env())).toThrow(
      "widget 'features' 'https://evil.example/vgg/model.json': origin https://evil.example is not allowed",
    )
    expect(resolveFeatures('vgg16:models/vgg16/model.json', env())).toBe(
      'vgg16:https://app.example/presets/models/vgg16/model.json',
    )
  })
})

describe('path policy (Node)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'step-untrusted-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const env = (trusted: string[] = []) =>
    folderEnv({
      inputDir: join(dir, 'presets'),
      outputDir: join(dir, 'out'),
      readRoots: [join(dir, 'shared')],
      trusted: new Set(trusted),
      cacheDir: null,
    })

  it('inputs outside the preset folder, the output folder and readRoots are refused', async () => {
    await expect(env().readBytes('/etc/passwd')).rejects.toMatchObject({
      code: 'path/outside',
      where: '/etc/passwd',
    })
    await expect(env().readBytes('../../x.png')).rejects.toThrow(
      `../../x.png: path: resolves to ${join(dir, '..', 'x.png')}, outside the folders a preset may read: ${join(dir, 'presets')} (the preset's folder), ${join(dir, 'out')} (the output folder), ${join(dir, 'shared')} (--allow-read); give it on the command line (--set) or allow its folder (--allow-read)`,
    )
    await expect(env().readBytes('https://evil.example/x.png')).rejects.toMatchObject({
      code: 'path/url',
    })
    // inside an allowed folder: read (here: missing, so image/missing, not path/outside)
    await expect(env().readBytes('../shared/a.png')).rejects.toMatchObject({
      code: 'image/missing',
    })
    // given on the command line: used as given
    await expect(env(['/nonexistent/a.png']).readBytes('/nonexistent/a.png')).rejects.toMatchObject(
      {
        code: 'image/missing',
      },
    )
    expect(() => env().resolveInput?.('/opt/vgg16', "widget 'features'")).toThrow(
      /^\/opt\/vgg16: widget 'features': resolves to \/opt\/vgg16, outside/,
    )
  })

  it('vgg16:PATH is resolved against the preset folder, and THAT path is what gets loaded', () => {
    // the old check resolved against the preset folder while the loader resolved against the cwd
    expect(resolveFeatures('vgg16:models/vgg/model.json', env())).toBe(
      `vgg16:${join(dir, 'presets', 'models', 'vgg', 'model.json')}`,
    )
    expect(resolveFeatures('resnet50', env())).toBe('resnet50')
    expect(() => resolveFeatures('vgg16:../../vgg', env())).toThrow(
      `../../vgg: widget 'features': resolves to ${join(dir, '..', 'vgg')}, outside`,
    )
  })

  it('a symbolic link inside an allowed folder that points outside is outside', async () => {
    mkdirSync(join(dir, 'presets'), { recursive: true })
    mkdirSync(join(dir, 'out'), { recursive: true })
    mkdirSync(join(dir, 'secret'), { recursive: true })
    writeFileSync(join(dir, 'secret', 'a.png'), new Uint8Array([1]))
    symlinkSync(join(dir, 'secret'), join(dir, 'presets', 'link'))
    symlinkSync(join(dir, 'secret'), join(dir, 'out', 'link'))
    const read = join(dir, 'presets', 'link', 'a.png')
    await expect(env().readBytes('link/a.png')).rejects.toThrow(
      `link/a.png: path: resolves to ${read} (${join(dir, 'secret', 'a.png')} after following links), outside the folders a preset may read:`,
    )
    // an output not created yet: its nearest existing parent (the link) is followed
    await expect(env().writeOutput('link/new.png', new Uint8Array(1))).rejects.toMatchObject({
      code: 'path/outside',
    })
    expect(existsSync(join(dir, 'secret', 'new.png'))).toBe(false)
    // a link to somewhere allowed stays allowed
    symlinkSync(join(dir, 'shared'), join(dir, 'presets', 'shared-link'))
    await expect(env().readBytes('shared-link/none.png')).rejects.toMatchObject({
      code: 'image/missing',
      message: `shared-link/none.png: file not found: ${join(dir, 'presets', 'shared-link', 'none.png')}`,
    })
  })

  it("names that merely start with '..' are inside", async () => {
    expect(isInside('/a/..cache/x', '/a')).toBe(true)
    expect(isInside('/a/../x', '/a')).toBe(false)
    expect(isInside('/a', '/a')).toBe(true)
    await expect(env().readBytes('..cache/x.png')).rejects.toMatchObject({ code: 'image/missing' })
  })

  it('--set values are trusted for reads only, and never as URLs', async () => {
    const far = join(dir, 'elsewhere', 'x.png')
    await expect(env([far]).readBytes(far)).rejects.toMatchObject({ code: 'image/missing' })
    await expect(env([far]).writeOutput(far, new Uint8Array(1))).rejects.toMatchObject({
      code: 'path/outside',
    })
    expect(() => env([far]).checkpointPath(far)).toThrow(StepError)
    await expect(
      env(['https://evil.example/x.png']).readBytes('https://evil.example/x.png'),
    ).rejects.toMatchObject({ code: 'path/url' })
  })

  it('outputs stay inside the output folder', async () => {
    await expect(env().writeOutput('../escape.png', new Uint8Array(1))).rejects.toMatchObject({
      code: 'path/outside',
    })
    expect(() => env().checkpointPath('/tmp/elsewhere')).toThrow(StepError)
    expect(env().checkpointPath('enc')).toBe(join(dir, 'out', 'enc'))
    await expect(env().writeOutput('ok.png', new Uint8Array([7]))).resolves.toBe(
      join(dir, 'out', 'ok.png'),
    )
  })
})

describe('size limits', () => {
  it('preset text over the limit and deep nesting are refused before parsing', () => {
    expect(() => parsePresetText(' '.repeat(MAX_PRESET_CHARS + 1), 'big.json')).toThrow(
      `big.json: preset text is ${MAX_PRESET_CHARS + 1} characters, the limit is ${MAX_PRESET_CHARS}`,
    )
    expect(() => parsePresetText(`{"a":${'['.repeat(65)}${']'.repeat(65)}}`, 'deep.json')).toThrow(
      'deep.json: nested more than 64 levels deep (character 68)',
    )
    // brackets inside strings do not count
    expect(parsePresetText(`{"a":"${'['.repeat(100)}"}`, 'ok.json')).toEqual({ a: '['.repeat(100) })
  })
})
