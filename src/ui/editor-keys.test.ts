import { describe, expect, it } from 'vitest'
import { keyCommand, type KeyPress } from './editor-keys.js'

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
})

describe('keyCommand', () => {
  it('maps the editor shortcuts, Ctrl or Cmd', () => {
    expect(keyCommand(press('z', { ctrlKey: true }))).toBe('undo')
    expect(keyCommand(press('z', { metaKey: true }))).toBe('undo')
    expect(keyCommand(press('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo')
    expect(keyCommand(press('y', { ctrlKey: true }))).toBe('redo')
    expect(keyCommand(press('Enter', { ctrlKey: true }))).toBe('run')
    expect(keyCommand(press('.'))).toBe('fit')
  })

  it('leaves other keys alone', () => {
    expect(keyCommand(press('z'))).toBeNull()
    expect(keyCommand(press('Enter'))).toBeNull()
    expect(keyCommand(press('Delete'))).toBeNull() // litegraph's
    expect(keyCommand(press('a', { ctrlKey: true }))).toBeNull() // litegraph's
    expect(keyCommand(press('z', { ctrlKey: true, altKey: true }))).toBeNull()
    expect(keyCommand(press('.', { ctrlKey: true }))).toBeNull()
  })
})
