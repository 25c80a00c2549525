import { describe, expect, it } from 'vitest'
import { isBackendChoice, readBackendChoice, writeBackendChoice } from './backend-choice.js'

function memoryStorage() {
  const m = new Map<string, string>()
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    entries: () => [...m.entries()],
  }
}

describe('backend choice', () => {
  it('remembers a picked backend and forgets it when auto is picked', () => {
    const s = memoryStorage()
    expect(readBackendChoice(s)).toBeNull()
    expect(writeBackendChoice('wasm', s)).toBe(true)
    expect(readBackendChoice(s)).toBe('wasm')
    writeBackendChoice('auto', s)
    expect(s.entries()).toEqual([])
    expect(readBackendChoice(s)).toBeNull()
  })

  it('ignores a stored value it does not know', () => {
    const s = memoryStorage()
    s.setItem('step-editor:backend', 'metal')
    expect(readBackendChoice(s)).toBeNull()
    expect(isBackendChoice('webgpu')).toBe(true)
    expect(isBackendChoice('metal')).toBe(false)
  })

  it('reports blocked storage instead of throwing', () => {
    const blocked = {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => {
        throw new Error('SecurityError')
      },
      removeItem: () => undefined,
    }
    expect(readBackendChoice(blocked)).toBeNull()
    expect(writeBackendChoice('cpu', blocked)).toBe(false)
  })
})
