import { describe, expect, it } from 'vitest'
import { checkWidget } from './widgets.js'

describe('checkWidget', () => {
  it('parses numbers given as text and enforces integer ranges', () => {
    const spec = { kind: 'int', default: 1, min: 1, max: 10 } as const
    expect(checkWidget(spec, '7')).toEqual({ ok: true, value: 7 })
    expect(checkWidget(spec, 11)).toEqual({
      ok: false,
      problem: { kind: 'widget-range', message: 'expected a value in [1, 10], got 11' },
    })
    expect(checkWidget(spec, 2.5)).toMatchObject({ ok: false, problem: { kind: 'widget-type' } })
    expect(checkWidget(spec, NaN)).toEqual({
      ok: false,
      problem: { kind: 'widget-type', message: 'expected a finite number, got NaN' },
    })
    expect(checkWidget(spec, '')).toMatchObject({ ok: false, problem: { kind: 'widget-type' } })
  })

  it('accepts fractional floats, seeds from -1 to 2^32 - 1, toggles, combos and bounded text', () => {
    expect(checkWidget({ kind: 'float', default: 0, min: 0, max: 1 }, 0.25)).toEqual({
      ok: true,
      value: 0.25,
    })
    expect(checkWidget({ kind: 'seed', default: 0 }, -1)).toEqual({ ok: true, value: -1 })
    expect(checkWidget({ kind: 'seed', default: 0 }, 2 ** 32)).toMatchObject({
      ok: false,
      problem: { kind: 'widget-range' },
    })
    expect(checkWidget({ kind: 'toggle', default: false }, 'true')).toEqual({
      ok: true,
      value: true,
    })
    expect(checkWidget({ kind: 'toggle', default: false }, 1)).toMatchObject({ ok: false })
    expect(checkWidget({ kind: 'combo', default: 'a', options: ['a', 'b'] }, 'c')).toEqual({
      ok: false,
      problem: { kind: 'widget-option', message: 'expected one of a, b, got "c"' },
    })
    expect(checkWidget({ kind: 'text', default: '', maxLength: 3 }, 'abcd')).toEqual({
      ok: false,
      problem: { kind: 'widget-range', message: 'expected at most 3 characters, got 4' },
    })
    expect(checkWidget({ kind: 'text', default: '' }, 5)).toMatchObject({
      ok: false,
      problem: { kind: 'widget-type' },
    })
  })
})
