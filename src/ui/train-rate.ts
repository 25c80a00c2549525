/**
 * Training throughput in the editor: images per second of a training node. Train Encoder,
 * Train Generator and Fine-Tune pass src/train's `imagesPerSecond` in their progress figures, and
 * that figure is shown as it is. For events without it (the mapper's, whose units are epochs) the
 * page times the events as they arrive and multiplies by the images one step trains on, counted
 * as src/train counts them: stage 1 an anchor, a positive and a negative per batch element,
 * stages 2 and 3 one image.
 */

/** What a training node's progress value counts and how many images one unit of it is. */
export interface RateUnit {
  readonly perStep: number
  /** 'images' (images/s) or 'epochs' (the mapper's events count epochs of style codes). */
  readonly unit: 'images' | 'epochs'
}

/** The rate unit of a StEP node type with its widget values; null when it does not train. */
export function rateUnit(
  type: string,
  widgets: Readonly<Record<string, unknown>>,
): RateUnit | null {
  const batch = typeof widgets.batch === 'number' && widgets.batch > 0 ? widgets.batch : null
  if (type === 'step/train-encoder' && batch) return { perStep: 3 * batch, unit: 'images' }
  if ((type === 'step/train-generator' || type === 'step/fine-tune') && batch)
    return { perStep: batch, unit: 'images' }
  if (type === 'step/train-mapper') return { perStep: 1, unit: 'epochs' }
  return null
}

/** Samples older than this (ms) leave the window, so the rate follows the current speed. */
const WINDOW_MS = 10_000
const MAX_SAMPLES = 64

/** The rate of a growing counter, from (value, time) samples over a sliding window. */
export class RateMeter {
  private samples: { value: number; ms: number }[] = []

  /** Adds a sample; 0 (setup phases such as mining) is ignored and a smaller value restarts. */
  add(value: number, ms: number): void {
    if (value <= 0) return
    const last = this.samples.at(-1)
    if (last && value === last.value) return
    if (last && value < last.value) this.samples = []
    this.samples.push({ value, ms })
    while (
      this.samples.length > MAX_SAMPLES ||
      (this.samples.length > 2 && ms - (this.samples[0]?.ms ?? ms) > WINDOW_MS)
    )
      this.samples.shift()
  }

  /** Units per second over the window; null before two samples. */
  perSecond(): number | null {
    const first = this.samples[0]
    const last = this.samples.at(-1)
    if (!first || !last || last === first || last.ms <= first.ms) return null
    return ((last.value - first.value) * 1000) / (last.ms - first.ms)
  }
}

/** A training node's throughput as the editor shows it. */
export interface TrainingRate {
  readonly unit: RateUnit
  readonly meter: RateMeter
  /** The last reading (images or epochs per second), null until there is one. */
  perSecond: number | null
}

/**
 * Updates `rate` (or starts one for a training node) from a progress event that arrived at `ms`;
 * returns it, or null when the node does not train.
 */
export function trackRate(
  rate: TrainingRate | null,
  type: string,
  widgets: Readonly<Record<string, unknown>>,
  e: { readonly value: number; readonly figures?: Readonly<Record<string, number>> },
  ms: number,
): TrainingRate | null {
  const r = rate ?? startRate(type, widgets)
  if (!r) return null
  r.meter.add(e.value, ms)
  const reported = e.figures?.imagesPerSecond
  const measured = r.meter.perSecond()
  if (reported !== undefined && r.unit.unit === 'images') r.perSecond = reported
  else if (measured !== null) r.perSecond = measured * r.unit.perStep
  return r
}

function startRate(type: string, widgets: Readonly<Record<string, unknown>>): TrainingRate | null {
  const unit = rateUnit(type, widgets)
  return unit ? { unit, meter: new RateMeter(), perSecond: null } : null
}

/** "45.6 images/s" / "3.20 epochs/s". */
export function formatRate(rate: TrainingRate): string {
  const v = rate.perSecond ?? 0
  return `${v >= 100 ? v.toFixed(0) : v.toPrecision(3)} ${rate.unit.unit}/s`
}

/** The status line of a training node: "Train Encoder: step 12/400, 45.6 images/s". */
export function rateStatus(title: string, value: number, max: number, rate: TrainingRate): string {
  const what = rate.unit.unit === 'epochs' ? 'epoch' : 'step'
  return `${title}: ${what} ${value}/${max}, ${formatRate(rate)}`
}
