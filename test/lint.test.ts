/**
 * The lint rules that keep the layers of docs/decisions/0022-layers.md: ESLint (the project's own
 * eslint.config.js, ignores off) must refuse an upward import and an import cycle in the fixture
 * files of test/fixtures/lint, and accept a file that does neither.
 */
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const FIXTURES = join(ROOT, 'test/fixtures/lint/src')

async function lint(file: string): Promise<ESLint.LintResult['messages']> {
  const eslint = new ESLint({ cwd: ROOT, ignore: false })
  const [result] = await eslint.lintFiles([join(FIXTURES, file)])
  if (!result) throw new Error(`no lint result for ${file}`)
  return result.messages
}

describe('layer lint rules', () => {
  it('refuse an import from core up to inference, naming both layers', async () => {
    const messages = await lint('core/upward.ts')
    expect(messages.map((m) => m.ruleId)).toEqual(['no-restricted-imports'])
    expect(messages[0]?.message).toContain('src/core must not import src/inference')
    expect(messages[0]?.line).toBe(2)
  })

  it('refuse an import cycle, showing the loop', async () => {
    const messages = await lint('train/cycle-a.ts')
    expect(messages.map((m) => m.ruleId)).toEqual(['step/no-import-cycle'])
    expect(messages[0]?.message).toContain(
      'test/fixtures/lint/src/train/cycle-a.ts -> test/fixtures/lint/src/train/cycle-b.ts -> test/fixtures/lint/src/train/cycle-a.ts',
    )
  })

  it('accept a file that imports nothing above it and closes no loop', async () => {
    expect(await lint('inference/model.ts')).toEqual([])
  })
})
