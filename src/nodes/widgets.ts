/**
 * Widget specs: the editable settings of a node (kind, default, bounds, options), the value type
 * each kind holds, and the one check every value goes through — a preset, a `--set` override or
 * the editor all hit `checkWidget`, which names the widget and the value it received.
 */
import { showValue } from '../core/errors.js'

/** An integer setting within [min, max]. */
export interface IntWidget {
  readonly kind: 'int'
  readonly default: number
  readonly min: number
  readonly max: number
  readonly description?: string
}
/** A real-valued setting within [min, max]. */
export interface FloatWidget {
  readonly kind: 'float'
  readonly default: number
  readonly min: number
  readonly max: number
  readonly step?: number
  readonly description?: string
}
/** A text setting (paths, lists); at most maxLength characters (default 4096). */
export interface TextWidget {
  readonly kind: 'text'
  readonly default: string
  readonly maxLength?: number
  readonly description?: string
}
/** An on/off setting. */
export interface ToggleWidget {
  readonly kind: 'toggle'
  readonly default: boolean
  readonly description?: string
}
/** One of a fixed list of strings. */
export interface ComboWidget<O extends string = string> {
  readonly kind: 'combo'
  readonly default: NoInfer<O>
  readonly options: readonly O[]
  readonly description?: string
}
/** A random seed: 0..2^32-1, or -1 for "a new random seed every run" (the one used is recorded). */
export interface SeedWidget {
  readonly kind: 'seed'
  readonly default: number
  readonly description?: string
}

/** Any widget spec. */
export type WidgetSpec =
  IntWidget | FloatWidget | TextWidget | ToggleWidget | ComboWidget | SeedWidget

/** Largest seed value. */
export const MAX_SEED = 0xffffffff

/** The value type a widget spec holds. */
export type WidgetValue<S extends WidgetSpec> =
  S extends ComboWidget<infer O>
    ? O
    : S extends TextWidget
      ? string
      : S extends ToggleWidget
        ? boolean
        : number

/** What went wrong with a widget value. */
export interface WidgetProblem {
  readonly kind: 'widget-type' | 'widget-range' | 'widget-option'
  readonly message: string
}

/** The value if `raw` is valid for `spec`, else the problem (strings are parsed for numbers). */
export function checkWidget(
  spec: WidgetSpec,
  raw: unknown,
): { ok: true; value: string | number | boolean } | { ok: false; problem: WidgetProblem } {
  const fail = (kind: WidgetProblem['kind'], message: string) =>
    ({ ok: false, problem: { kind, message } }) as const
  switch (spec.kind) {
    case 'int':
    case 'float':
    case 'seed': {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
      if (typeof v !== 'number' || !Number.isFinite(v))
        return fail('widget-type', `expected a finite number, got ${showValue(raw)}`)
      const [min, max] = spec.kind === 'seed' ? [-1, MAX_SEED] : [spec.min, spec.max]
      if (spec.kind !== 'float' && !Number.isInteger(v))
        return fail('widget-type', `expected an integer, got ${showValue(raw)}`)
      if (v < min || v > max)
        return fail('widget-range', `expected a value in [${min}, ${max}], got ${showValue(v)}`)
      return { ok: true, value: v }
    }
    case 'toggle': {
      const v = raw === 'true' ? true : raw === 'false' ? false : raw
      if (typeof v !== 'boolean')
        return fail('widget-type', `expected true or false, got ${showValue(raw)}`)
      return { ok: true, value: v }
    }
    case 'text': {
      if (typeof raw !== 'string')
        return fail('widget-type', `expected text, got ${showValue(raw)}`)
      const max = spec.maxLength ?? 4096
      if (raw.length > max)
        return fail('widget-range', `expected at most ${max} characters, got ${raw.length}`)
      return { ok: true, value: raw }
    }
    case 'combo': {
      if (typeof raw !== 'string' || !spec.options.includes(raw))
        return fail(
          'widget-option',
          `expected one of ${spec.options.join(', ')}, got ${showValue(raw)}`,
        )
      return { ok: true, value: raw }
    }
  }
}
