/**
 * The editor's run history: the last runs of this page, newest first, each with when it started,
 * how long it took, how it ended and copies of the images its nodes showed. The History panel
 * lists them; a thumbnail opens the run's images in the lightbox; Save downloads them. Copies,
 * not the preview canvases themselves, because the next run redraws those. Kept in memory only:
 * a reload starts an empty history (the graph itself is autosaved, autosave.ts).
 */
import { html } from 'lit'

/** One image a run showed, and the title of the node that showed it. */
export interface RunImage<I = HTMLCanvasElement> {
  readonly node: string
  readonly image: I
}

/** One finished run. */
export interface RunRecord<I = HTMLCanvasElement> {
  /** 1 for the page's first run, then counting up. */
  readonly id: number
  /** When it started (ms since the epoch). */
  readonly started: number
  /** How long it took, ms. */
  readonly ms: number
  /** 'done', 'failed', 'cancelled', … with the message when there is one. */
  readonly status: string
  readonly images: readonly RunImage<I>[]
}

/** The most runs kept; older ones are dropped first. */
export const HISTORY_LIMIT = 20

/** The last `limit` runs, newest first (generic in the image type so it tests without a DOM). */
export class RunHistory<I = HTMLCanvasElement> {
  private records: RunRecord<I>[] = []
  private next = 1

  constructor(readonly limit = HISTORY_LIMIT) {
    if (!(Number.isInteger(limit) && limit >= 1))
      throw new RangeError(`RunHistory: limit must be an integer >= 1, got ${limit}`)
  }

  /** Records a finished run and returns its record. */
  add(run: Omit<RunRecord<I>, 'id'>): RunRecord<I> {
    const record = { ...run, id: this.next++ }
    this.records = [record, ...this.records].slice(0, this.limit)
    return record
  }

  /** The runs kept, newest first. */
  list(): readonly RunRecord<I>[] {
    return this.records
  }

  /** The run with `id`, if it is still kept. */
  get(id: number): RunRecord<I> | undefined {
    return this.records.find((r) => r.id === id)
  }

  get size(): number {
    return this.records.length
  }

  /** Forgets every run (ids keep counting up). */
  clear(): void {
    this.records = []
  }
}

/** A copy of `source` that later drawing on the source does not change. */
export function copyCanvas(source: HTMLCanvasElement): HTMLCanvasElement {
  const copy = document.createElement('canvas')
  copy.width = source.width
  copy.height = source.height
  copy.getContext('2d')?.drawImage(source, 0, 0)
  return copy
}

/** "16:31:02 · done · 1.2 s · 3 images" */
export function runSummary(r: RunRecord<unknown>): string {
  const time = new Date(r.started).toLocaleTimeString([], { hour12: false })
  const took = r.ms < 60_000 ? `${(r.ms / 1000).toFixed(1)} s` : `${Math.round(r.ms / 60_000)} min`
  const n = r.images.length
  return `${time} · ${r.status} · ${took} · ${n} image${n === 1 ? '' : 's'}`
}

/** What the History panel's controls do. */
export interface HistoryActions {
  /** Opens image `index` of run `run` in the lightbox. */
  open(run: RunRecord, index: number): void
  /** Downloads every image of `run`. */
  save(run: RunRecord): void
  clear(): void
  close(): void
}

/** The most thumbnails shown per run (the lightbox pages through all of them). */
const THUMBS = 8

/** The History panel for `runs`. */
export function historyTemplate(runs: readonly RunRecord[], on: HistoryActions) {
  return html`<aside class="history" id="history" aria-label="Run history">
    <header>
      <strong>History</strong>
      <button id="history-clear" ?disabled=${runs.length === 0} @click=${() => on.clear()}>
        Clear
      </button>
      <button id="history-close" @click=${() => on.close()}>Close</button>
    </header>
    ${runs.length === 0 ? html`<p>No runs yet. Run the graph (Ctrl+Enter).</p>` : null}
    ${runs.map(
      (r) =>
        html`<section class="run" data-run=${r.id}>
          <div>
            #${r.id} ${runSummary(r)}
            ${
              r.images.length > 0
                ? html`<button class="history-save" @click=${() => on.save(r)}>Save</button>`
                : null
            }
          </div>
          <div class="thumbs">
            ${r.images
              .slice(0, THUMBS)
              .map(
                (im, i) =>
                  html`<img
                    src=${im.image.toDataURL('image/png')}
                    alt=${`${im.node} ${i + 1}`}
                    title=${im.node}
                    @click=${() => on.open(r, i)}
                  />`,
              )}
          </div>
        </section>`,
    )}
  </aside>`
}
