import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { autosaveKey, readAutosave, writeAutosave } from './autosave.js'

const store = new Map<string, string>()
const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage')

beforeEach(() => {
  store.clear()
  Object.defineProperty(globalThis, 'localStorage', {
    configurable: true,
    value: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    },
  })
})

afterEach(() => {
  if (original) Object.defineProperty(globalThis, 'localStorage', original)
  else Reflect.deleteProperty(globalThis, 'localStorage')
})

describe('autosave', () => {
  it('keeps one entry per preset attribute, with the base URL', () => {
    expect(autosaveKey('')).toBe('step-editor:autosave')
    expect(autosaveKey('a.json')).toBe('step-editor:autosave:a.json')
    expect(writeAutosave('k', { graph: { nodes: [1] }, baseUrl: 'http://x/presets/' })).toBe(true)
    expect(readAutosave('k', 'http://x/')).toEqual({
      graph: { nodes: [1] },
      baseUrl: 'http://x/presets/',
    })
    expect(readAutosave('other', 'http://x/')).toBeNull()
  })

  it('reads the older bare-graph entries and ignores unreadable ones', () => {
    store.set('old', JSON.stringify({ nodes: [2], links: [] }))
    expect(readAutosave('old', 'http://x/')).toEqual({
      graph: { nodes: [2], links: [] },
      baseUrl: 'http://x/',
    })
    store.set('bad', '{not json')
    expect(readAutosave('bad', 'http://x/')).toBeNull()
    store.set('num', '3')
    expect(readAutosave('num', 'http://x/')).toBeNull()
  })
})
