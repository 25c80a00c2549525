/**
 * Structured graph errors: one kind per way a graph can be wrong, each naming the node (id and
 * title), the input or widget, and the value received, so the editor can mark the node and the
 * CLI can print one precise line.
 */
import { StepError } from '../core/errors.js'

/** Every kind of graph error. */
export type GraphErrorKind =
  | 'unknown-type'
  | 'missing-input'
  | 'bad-link'
  | 'type-mismatch'
  | 'cycle'
  | 'widget-type'
  | 'widget-range'
  | 'widget-option'
  | 'unknown-node'
  | 'invalid-node'
  | 'invalid-preset'
  | 'execution'

/** Details of a graph error (plain data: it crosses worker boundaries). */
export interface GraphErrorInfo {
  readonly kind: GraphErrorKind
  readonly nodeId: number | null
  readonly title: string
  readonly input?: string
  readonly widget?: string
  readonly received?: string
  readonly message: string
}

/** A graph error as a StepError (code 'graph/<kind>', where 'node 7 (Generate)'). */
export class GraphError extends StepError {
  readonly info: GraphErrorInfo
  constructor(info: GraphErrorInfo, options?: { cause?: unknown }) {
    super(`graph/${info.kind}`, info.message, nodeLabel(info.nodeId, info.title), options)
    this.name = 'GraphError'
    this.info = info
  }
}

/** Several graph errors found before running; `errors` lists them all. */
export class GraphValidationError extends StepError {
  readonly errors: readonly GraphErrorInfo[]
  constructor(errors: readonly GraphErrorInfo[]) {
    const first = errors[0]
    super(
      'graph/invalid',
      `${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors
        .map((e) => `${nodeLabel(e.nodeId, e.title)}: ${e.message}`)
        .join('; ')}`,
      first ? nodeLabel(first.nodeId, first.title) : '',
    )
    this.name = 'GraphValidationError'
    this.errors = errors
  }
}

/** 'node 7 (Generate)'. */
export function nodeLabel(id: number | null, title: string): string {
  return id === null ? title : `node ${id} (${title})`
}
