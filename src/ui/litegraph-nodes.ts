/**
 * The StEP node set as litegraph node classes, made from the same registry the headless runner
 * uses (no second definition of any node). Widget values live in node.properties BY NAME (the
 * preset format); the widgets only edit them. `registerStepNodes` installs the set into any
 * litegraph instance — this editor's or an existing litegraph-based page's.
 */
import type {
  IContextMenuValue,
  ISlotType,
  LGraph,
  LGraphNode,
  LiteGraph as LiteGraphInstance,
  Point,
} from '@comfyorg/litegraph'
import type { NodeProperty } from '@comfyorg/litegraph/dist/LGraphNode'
import type { NodeDefinition } from '../nodes/define.js'
import { NODE_LIST } from '../nodes/index.js'
import type { WidgetSpec } from '../nodes/widgets.js'
import { PRESET_SCHEMA_VERSION, type Preset } from '../runtime/preset-schema.js'
import { findCompatibleSlot, installSocketRules, type ConnectionCheck } from './socket-rules.js'

/**
 * What registerStepNodes needs of a litegraph instance. With `isValidConnection` (pass the
 * LiteGraph object's), links dragged onto slots follow the runtime's socket rules too
 * (socket-rules.ts); without it only links dropped on a node's body do.
 */
export type LiteGraphLike = Pick<typeof LiteGraphInstance, 'registerNodeType'> & {
  readonly LGraphNode: typeof LGraphNode
  readonly connections?: ConnectionCheck
}

/** Options of registerStepNodes. */
export interface RegisterOptions {
  /** The node types to install (default: all of the registry). */
  readonly nodes?: readonly NodeDefinition[]
  /** Called when a widget value changes (e.g. to mark the graph dirty or autosave). */
  readonly onChange?: (node: LGraphNode, widget: string, value: unknown) => void
  /** Draws run state (progress, previews, errors) over a node; called by litegraph per frame. */
  readonly decorate?: (node: LGraphNode, ctx: CanvasRenderingContext2D) => void
  /**
   * A mouse press inside a node's body at `pos` (node coordinates, origin below the title);
   * returns true when it was handled (e.g. a click on a preview), so litegraph does not drag.
   */
  readonly pointerDown?: (node: LGraphNode, pos: readonly [number, number]) => boolean
  /** Extra entries at the top of a node's context menu (e.g. its preview images' actions). */
  readonly menu?: (node: LGraphNode) => readonly { content: string; action: () => void }[]
}

/** Marker on StEP node classes: the definition they were made from. */
const DEFINITION = Symbol('step-definition')

/** The StEP definition behind a litegraph node, or undefined for other node types. */
export function definitionOf(node: LGraphNode): NodeDefinition | undefined {
  return (node.constructor as { [DEFINITION]?: NodeDefinition })[DEFINITION]
}

/** Installs the StEP nodes; returns the type ids registered. */
export function registerStepNodes(lite: LiteGraphLike, options: RegisterOptions = {}): string[] {
  const defs = options.nodes ?? NODE_LIST
  if (lite.connections) installSocketRules(lite.connections)
  for (const def of defs) lite.registerNodeType(def.type, nodeClass(lite, def, options))
  return defs.map((d) => d.type)
}

function nodeClass(
  lite: LiteGraphLike,
  def: NodeDefinition,
  options: RegisterOptions,
): typeof LGraphNode {
  const Base = lite.LGraphNode
  class StepNode extends Base {
    static override title = def.title
    static override category = def.category
    static description = def.description
    static [DEFINITION] = def

    constructor(title?: string) {
      super(title ?? def.title, def.type)
      for (const [name, spec] of Object.entries(def.inputs))
        this.addInput(name, spec.type, spec.optional ? { shape: 7 } : {})
      for (const [name, type] of Object.entries(def.outputs)) this.addOutput(name, type)
      for (const [name, spec] of Object.entries(def.widgets)) {
        this.properties[name] = spec.default
        addWidget(this, name, spec, (value) => {
          this.properties[name] = value as NodeProperty
          options.onChange?.(this, name, value)
        })
      }
      this.serialize_widgets = false
      // litegraph sets onMouseDown on each node (its title buttons): ask those first, then ours
      const base = Reflect.get(this, 'onMouseDown') as LGraphNode['onMouseDown']
      this.onMouseDown = (e, pos: Point, canvas) =>
        (base?.call(this, e, pos, canvas) ?? false) ||
        (options.pointerDown?.(this, [pos[0] ?? 0, pos[1] ?? 0]) ?? false)
    }

    override getExtraMenuOptions(): (IContextMenuValue | null)[] {
      return (options.menu?.(this) ?? []).map(({ content, action }) => ({
        content,
        callback: () => void action(),
      }))
    }

    override onDrawForeground(ctx: CanvasRenderingContext2D): void {
      options.decorate?.(this, ctx)
    }

    /** A link dropped on the node's body joins the first input the runtime accepts it on. */
    override findInputByType(type: ISlotType) {
      return findCompatibleSlot(this.inputs, type, 'input') ?? super.findInputByType(type)
    }

    /** A link dragged from an input and dropped on the body starts at a compatible output. */
    override findOutputByType(type: ISlotType) {
      return findCompatibleSlot(this.outputs, type, 'output') ?? super.findOutputByType(type)
    }

    /** Widgets show the by-name values of properties (what presets store). */
    override onConfigure(): void {
      for (const w of this.widgets ?? []) {
        const v = this.properties[w.name]
        if (v !== undefined) w.value = v
      }
    }
  }
  return StepNode
}

function addWidget(
  node: LGraphNode,
  name: string,
  spec: WidgetSpec,
  set: (value: unknown) => void,
): void {
  const cb = (v: unknown) => set(v)
  switch (spec.kind) {
    case 'int':
    case 'float':
      node.addWidget('number', name, spec.default, cb, {
        min: spec.min,
        max: spec.max,
        step2: spec.kind === 'int' ? 1 : ('step' in spec && spec.step) || 0.001,
        precision: spec.kind === 'int' ? 0 : 4,
        property: name,
      })
      return
    case 'seed':
      node.addWidget('number', name, spec.default, cb, {
        min: -1,
        max: 0xffffffff,
        step2: 1,
        precision: 0,
        property: name,
      })
      return
    case 'toggle':
      node.addWidget('toggle', name, spec.default, cb, { property: name })
      return
    case 'combo':
      node.addWidget('combo', name, spec.default, cb, { values: [...spec.options], property: name })
      return
    case 'text':
      node.addWidget('text', name, spec.default, cb, { property: name })
      return
  }
}

/** The graph as a StEP preset: litegraph's serialisation, widgets by name, schemaVersion. */
export function graphToPreset(graph: LGraph): Preset {
  const data = graph.serialize() as unknown as Record<string, unknown> & { nodes?: unknown[] }
  const nodes = (data.nodes ?? []).map((n) => {
    const copy = { ...(n as Record<string, unknown>) }
    delete copy.widgets_values
    return copy
  })
  return {
    ...data,
    schemaVersion: PRESET_SCHEMA_VERSION,
    nodes,
    links: (data.links ?? []) as Preset['links'],
  }
}
