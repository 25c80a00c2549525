/**
 * The panel a training node shows inside itself while and after it trains: one line with the
 * step count, the loss, the throughput and the time left, and the loss curve under it. The node
 * is made tall enough for it (node-overlay.ts), so it never covers the nodes below.
 */
import { drawLossPlot } from './loss-plot.js'
import { formatRate, type TrainingRate } from './train-rate.js'

/** Height of the panel (text line and plot) in node units. */
export const TRAINING_PANEL_HEIGHT = 76
const PLOT_HEIGHT = 52

/** What the panel shows. */
export interface TrainingState {
  readonly progress: { readonly value: number; readonly max: number } | null
  readonly losses: readonly (readonly [number, number])[]
  readonly rate: TrainingRate | null
}

/** "8 s", "3 min 20 s", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
}

/** Seconds left at the current speed, or null (not measured yet, or finished). */
export function etaSeconds(s: TrainingState): number | null {
  const perSecond = s.rate?.meter.perSecond() ?? null
  if (!s.progress || perSecond === null || perSecond <= 0) return null
  const left = s.progress.max - s.progress.value
  return left > 0 ? left / perSecond : null
}

/** "step 12/400 · loss 0.5231 · 45.6 images/s · 1 min 20 s left" (parts known so far). */
export function trainingLine(s: TrainingState): string {
  const what = s.rate?.unit.unit === 'epochs' ? 'epoch' : 'step'
  const parts: string[] = []
  if (s.progress && s.progress.max > 1) parts.push(`${what} ${s.progress.value}/${s.progress.max}`)
  const loss = s.losses.at(-1)?.[1]
  if (loss !== undefined) parts.push(`loss ${loss.toPrecision(4)}`)
  if (s.rate && s.rate.perSecond !== null) parts.push(formatRate(s.rate))
  const eta = etaSeconds(s)
  if (eta !== null) parts.push(`${formatDuration(eta)} left`)
  return parts.join(' · ') || 'starting…'
}

/** Draws the panel with its top at `y` in a node `w` wide. */
export function drawTrainingPanel(
  ctx: CanvasRenderingContext2D,
  s: TrainingState,
  y: number,
  w: number,
): void {
  ctx.fillStyle = '#ccc'
  ctx.font = '11px sans-serif'
  ctx.fillText(trainingLine(s), 6, y + 13, w - 12)
  const box = [6, y + 18, w - 12, PLOT_HEIGHT] as const
  if (s.losses.length > 1) drawLossPlot(ctx, s.losses, ...box)
  else {
    ctx.strokeStyle = '#444'
    ctx.strokeRect(...box)
  }
}
