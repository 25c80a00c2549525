/**
 * What connects to what in litegraph, from the runtime's own rules (src/nodes/sockets.ts
 * canConnect): an Image output may feed an ImageBatch input, a Model output an Encoder /
 * Generator / Mapper input, Noise a StyleCode input. litegraph alone accepts exact type matches
 * only; `installSocketRules` makes its connection check (used when a link is dragged onto a slot)
 * ask canConnect for StEP socket types, and `findCompatibleSlot` does the same for a link
 * dropped on a node's body. Other types keep litegraph's own rule.
 */
import type { ISlotType } from '@comfyorg/litegraph'
import { canConnect, isSocketType } from '../nodes/sockets.js'

/** The part of a litegraph instance whose connection check is replaced. */
export interface ConnectionCheck {
  isValidConnection: (output: ISlotType, input: ISlotType) => boolean
}

const INSTALLED = Symbol('step-socket-rules')

/** Whether an output of type `output` may feed an input of type `input`, or null (not StEP types). */
export function stepConnection(output: ISlotType, input: ISlotType): boolean | null {
  if (typeof output !== 'string' || typeof input !== 'string') return null
  if (!isSocketType(output) || !isSocketType(input)) return null
  return canConnect(output, input)
}

/** Makes `lite.isValidConnection` follow canConnect for StEP sockets (idempotent). */
export function installSocketRules(lite: ConnectionCheck): void {
  const current: ConnectionCheck['isValidConnection'] & { [INSTALLED]?: true } =
    lite.isValidConnection
  if (current[INSTALLED]) return
  const original = current.bind(lite)
  const check = (output: ISlotType, input: ISlotType) =>
    stepConnection(output, input) ?? original(output, input)
  lite.isValidConnection = Object.assign(check, { [INSTALLED]: true as const })
}

/** A slot as findCompatibleSlot needs it. */
export interface SlotLike {
  readonly type: ISlotType
  readonly link?: unknown
  readonly links?: readonly unknown[] | null
}

/**
 * The first slot of `slots` a link of `type` may join (`side`: whether the slots are the
 * inputs or the outputs of the node it is dropped on), free slots first, then the exact type;
 * undefined when none may.
 */
export function findCompatibleSlot<S extends SlotLike>(
  slots: readonly S[] | undefined,
  type: ISlotType,
  side: 'input' | 'output',
): { index: number; slot: S } | undefined {
  const ok = (s: S) =>
    side === 'input' ? stepConnection(type, s.type) : stepConnection(s.type, type)
  const free = (s: S) => (side === 'input' ? s.link == null : !s.links?.length)
  const ranked = (slots ?? [])
    .map((slot, index) => ({ index, slot }))
    .filter(({ slot }) => ok(slot) === true)
    .sort(
      (a, b) =>
        Number(free(b.slot)) - Number(free(a.slot)) ||
        Number(b.slot.type === type) - Number(a.slot.type === type) ||
        a.index - b.index,
    )
  return ranked[0]
}
