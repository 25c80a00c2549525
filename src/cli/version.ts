/** The package's version, read from its package.json (two folders up from src/cli or dist/cli). */
import { readFile } from 'node:fs/promises'

/** "0.1.0" (the package.json beside src/ or dist/). */
export async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8')
  return (JSON.parse(text) as { version: string }).version
}
