/**
 * The editor's link-drop menu (link-menu.ts) wired to a litegraph canvas: a new link dropped on
 * empty canvas opens it at the drop point; choosing a node adds it there, linked.
 */
import { LGraphNode, LiteGraph, type LGraph, type LGraphCanvas } from '@comfyorg/litegraph'
import type { ReactiveControllerHost } from 'lit'
import { linkChoices, linkMenuTemplate, type LinkChoice, type LinkMenuState } from './link-menu.js'

/** The link being offered a node: where it starts and where it was dropped (canvas units). */
interface PendingLink {
  readonly nodeId: number
  readonly slot: number
  readonly from: 'output' | 'input'
  readonly at: readonly [number, number]
}

/** The menu's state and actions for one editor. */
export class LinkDropMenu {
  private state: LinkMenuState | null = null
  private pending: PendingLink | null = null
  private view: LGraphCanvas | null = null

  /** `edited`: called after a node was added and linked (to record the edit). */
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly graph: LGraph,
    private readonly edited: () => void,
  ) {}

  /** Listens for links dropped on `view`'s empty canvas (not while `locked()`). */
  attach(view: LGraphCanvas, locked: () => boolean): void {
    this.view = view
    const links = view.linkConnector
    links.events.addEventListener('dropped-on-canvas', (ce) => {
      const e = ce.detail
      const link = links.renderLinks[0]
      if (locked() || links.state.draggingExistingLinks || !(link?.node instanceof LGraphNode))
        return
      const from = links.state.connectingTo === 'input' ? 'output' : 'input'
      const type = String(link.fromSlot.type)
      const box = this.host.getBoundingClientRect()
      const at = [e.canvasX, e.canvasY] as const
      this.pending = { nodeId: Number(link.node.id), slot: link.fromSlotIndex, from, at }
      const choices = linkChoices(type, from)
      this.state = { x: e.clientX - box.left, y: e.clientY - box.top, type, choices }
      this.host.requestUpdate()
    })
  }

  /** Whether the menu is open. */
  get open(): boolean {
    return this.state !== null
  }

  /** Closes the menu (the link is dropped). */
  close(): void {
    this.state = null
    this.pending = null
    this.host.requestUpdate()
  }

  /** Adds the node chosen where the link was dropped, linked to it. */
  private choose(c: LinkChoice): void {
    const p = this.pending
    this.close()
    const origin = p ? this.graph.getNodeById(p.nodeId) : null
    const node = LiteGraph.createNode(c.type)
    if (!p || !origin || !node) return
    const [w = 200] = node.size
    node.pos = [p.from === 'output' ? p.at[0] : p.at[0] - w, p.at[1]]
    this.graph.add(node)
    if (p.from === 'output') origin.connect(p.slot, node, c.slot)
    else node.connect(c.slot, origin, p.slot)
    this.edited()
    this.view?.canvas.focus({ preventScroll: true }) // the menu's button is gone: keys to the canvas
  }

  /** The menu, or nothing when closed. */
  template() {
    return this.state
      ? linkMenuTemplate(
          this.state,
          (c) => this.choose(c),
          () => this.close(),
        )
      : null
  }
}
