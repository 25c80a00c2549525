#!/usr/bin/env node
// The `step` command. Runs the compiled CLI in dist/ (built by `npm ci` / `npm run build:lib`).
// During development `npm run step -- <args>` runs the TypeScript sources directly.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(fileURLToPath(entry))) {
  console.error('step: dist/ is missing; run `npm run build:lib` (npm ci runs it) first.')
  process.exit(2)
}
const { main } = await import(entry.href)
// exit explicitly: a WebGPU (Dawn) instance would otherwise keep the process alive
process.exit(await main(process.argv.slice(2)))
