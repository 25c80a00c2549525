/**
 * The one stream of run events that drives progress bars, previews and logs in the CLI and the
 * editor alike. Every event is plain data (structured-cloneable), so it can cross from a Web
 * Worker to the page unchanged.
 */
import type { RgbImage } from '../core/image/types.js'
import type { GraphErrorInfo } from './graph-errors.js'

/** A run event. */
export type RunEvent =
  | { readonly type: 'start'; readonly runId: number; readonly nodes: readonly number[] }
  | { readonly type: 'cached'; readonly nodes: readonly number[] }
  | { readonly type: 'executing'; readonly node: number; readonly title: string }
  | {
      readonly type: 'progress'
      readonly node: number
      readonly value: number
      readonly max: number
      readonly figures?: Readonly<Record<string, number>>
    }
  | { readonly type: 'log'; readonly node: number; readonly message: string }
  | { readonly type: 'preview'; readonly node: number; readonly images: readonly RgbImage[] }
  | {
      readonly type: 'executed'
      readonly node: number
      /** Output name -> short description of the value. */
      readonly outputs: Readonly<Record<string, string>>
      readonly ms: number
    }
  | {
      /** The backend failed mid-run (device lost, missing kernel); the run goes on on `to`. */
      readonly type: 'backend-fallback'
      /** The node that was executing. */
      readonly node: number
      readonly title: string
      readonly from: string
      readonly to: string
      readonly kind: 'device-lost' | 'missing-kernel' | 'context-lost'
      readonly reason: string
      /** Cached outputs moved to `to`, and dropped (recomputed) because they could not be read. */
      readonly kept: number
      readonly dropped: number
    }
  | { readonly type: 'error'; readonly error: GraphErrorInfo }
  | { readonly type: 'interrupted'; readonly node: number | null }
  | {
      readonly type: 'done'
      readonly status: RunStatus
      readonly executed: readonly number[]
      readonly cached: readonly number[]
      readonly ms: number
    }

/** How a run ended. */
export type RunStatus = 'done' | 'cancelled' | 'failed'

/** Receives run events. */
export type RunListener = (event: RunEvent) => void
