/**
 * A new link dropped on empty canvas offers the nodes that can take it: dragged from an output,
 * the node types with an input the runtime accepts it on (src/nodes/sockets.ts canConnect);
 * dragged from an input, those with an output that may feed it. Choosing one adds the node where
 * the link was dropped, already linked.
 */
import { html } from 'lit'
import type { NodeDefinition } from '../nodes/define.js'
import { NODE_LIST } from '../nodes/index.js'
import { canConnect, isSocketType } from '../nodes/sockets.js'

/** A node type that can take the dropped link, and the slot it joins. */
export interface LinkChoice {
  readonly type: string
  readonly title: string
  /** The input (link from an output) or output (link from an input) index on the new node. */
  readonly slot: number
  readonly slotName: string
}

/**
 * Node types for a link of socket type `type` dragged from an output (`from: 'output'`, the new
 * node takes it on an input) or from an input (`from: 'input'`, the new node feeds it).
 */
export function linkChoices(
  type: string,
  from: 'output' | 'input',
  defs: readonly NodeDefinition[] = NODE_LIST,
): LinkChoice[] {
  if (!isSocketType(type)) return []
  const choices: LinkChoice[] = []
  for (const def of defs) {
    const slots =
      from === 'output'
        ? Object.entries(def.inputs).map(([name, spec]) => [name, spec.type] as const)
        : Object.entries(def.outputs)
    const slot = slots.findIndex(([, t]) =>
      from === 'output' ? canConnect(type, t) : canConnect(t, type),
    )
    const name = slots[slot]?.[0]
    if (name !== undefined) choices.push({ type: def.type, title: def.title, slot, slotName: name })
  }
  return choices
}

/** The open menu: where (host pixels), the link's type and what it can join. */
export interface LinkMenuState {
  readonly x: number
  readonly y: number
  readonly type: string
  readonly choices: readonly LinkChoice[]
}

/** The menu for `s`; `choose` adds the node, `close` drops the link. */
export function linkMenuTemplate(
  s: LinkMenuState,
  choose: (c: LinkChoice) => void,
  close: () => void,
) {
  return html`<div class="link-menu-backdrop" @pointerdown=${close}></div>
    <div class="link-menu" id="link-menu" style=${`left: ${s.x}px; top: ${s.y}px`}>
      <h4>Add a node for ${s.type}</h4>
      ${s.choices.length === 0 ? html`<p>no node takes ${s.type}</p>` : null}
      ${s.choices.map(
        (c) =>
          html`<button data-type=${c.type} @click=${() => choose(c)}>
            ${c.title} <small>${c.slotName}</small>
          </button>`,
      )}
    </div>`
}
