// ESLint rule `step/no-import-cycle`: a file may not reach itself through static relative imports
// (type-only imports included; `import()` calls are lazy and are not followed). Other files are
// read from disk with TypeScript's import scanner and cached by modification time.
import { readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import ts from 'typescript'

/** path -> { mtime, imports: absolute paths } */
const cache = new Map()

/** The .ts file a relative specifier names, or null (packages, missing files). */
function resolveSpecifier(from, spec) {
  if (!spec.startsWith('.')) return null
  const base = resolve(dirname(from), spec)
  const stem = base.replace(/\.(js|mjs|ts)$/, '')
  for (const candidate of [`${stem}.ts`, base, `${base}/index.ts`]) {
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not this one
    }
  }
  return null
}

/** The static relative imports of `file` (absolute paths), from its text on disk. */
function importsOf(file) {
  let mtime
  try {
    mtime = statSync(file).mtimeMs
  } catch {
    return []
  }
  const hit = cache.get(file)
  if (hit && hit.mtime === mtime) return hit.imports
  const text = readFileSync(file, 'utf8')
  const info = ts.preProcessFile(text, true, false)
  const imports = []
  for (const ref of info.importedFiles) {
    // preProcessFile also lists import() calls; keep only declarations (`from '...'`).
    const before = text.slice(Math.max(0, ref.pos - 40), ref.pos)
    if (/import\s*\(\s*['"]?$/.test(before)) continue
    const target = resolveSpecifier(file, ref.fileName)
    if (target) imports.push(target)
  }
  cache.set(file, { mtime, imports })
  return imports
}

/** A path of imports from `start` back to `goal` (file names), or null. */
function pathBack(start, goal) {
  const seen = new Set()
  const stack = [[start, [start]]]
  while (stack.length > 0) {
    const [file, path] = stack.pop()
    if (file === goal) return path
    if (seen.has(file)) continue
    seen.add(file)
    for (const next of importsOf(file)) stack.push([next, [...path, next]])
  }
  return null
}

/** Short names for the message: paths relative to the working directory. */
const short = (file, cwd) => (file.startsWith(cwd + '/') ? file.slice(cwd.length + 1) : file)

const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow import cycles between the files of this project.' },
    schema: [],
    messages: {
      cycle: 'import cycle: {{path}} (break it by moving what both need into a file below them)',
    },
  },
  create(context) {
    const file = context.filename
    const cwd = context.cwd
    const check = (node) => {
      if (!node.source || typeof node.source.value !== 'string') return
      const target = resolveSpecifier(file, node.source.value)
      if (!target) return
      const back = target === file ? [target] : pathBack(target, file)
      if (!back) return
      const path = [file, ...back].map((f) => short(f, cwd)).join(' -> ')
      context.report({ node: node.source, messageId: 'cycle', data: { path } })
    }
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check }
  },
}

/** The project's own ESLint plugin. */
export default { rules: { 'no-import-cycle': noImportCycle } }
