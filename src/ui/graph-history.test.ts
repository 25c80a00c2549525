import { describe, expect, it } from 'vitest'
import { GraphHistory } from './graph-history.js'

describe('GraphHistory', () => {
  it('undoes and redoes recorded states in order; a new edit drops the redo steps', () => {
    const h = new GraphHistory()
    expect(h.record('a')).toBe(true)
    expect(h.canUndo).toBe(false)
    h.record('b')
    h.record('c')
    expect(h.record('c')).toBe(false) // unchanged: no step
    expect(h.undo()).toBe('b')
    expect(h.undo()).toBe('a')
    expect(h.undo()).toBeNull()
    expect(h.redo()).toBe('b')
    expect(h.canRedo).toBe(true)
    h.record('d')
    expect(h.canRedo).toBe(false)
    expect(h.redo()).toBeNull()
    expect(h.undo()).toBe('b')
    expect(h.undo()).toBe('a')
  })

  it('keeps at most `limit` steps back', () => {
    const h = new GraphHistory(2)
    for (const s of ['a', 'b', 'c', 'd']) h.record(s)
    expect(h.undo()).toBe('c')
    expect(h.undo()).toBe('b')
    expect(h.undo()).toBeNull()
  })
})

describe('GraphHistory.replaceCurrent', () => {
  it('swaps the current snapshot without a step', () => {
    const h = new GraphHistory()
    h.record('a')
    h.record('b')
    expect(h.undo()).toBe('a')
    h.replaceCurrent('a2')
    expect(h.record('a2')).toBe(false)
    expect(h.redo()).toBe('b')
    expect(h.undo()).toBe('a2')
  })
})
