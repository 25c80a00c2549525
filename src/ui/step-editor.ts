/**
 * <step-editor>: the StEP graph editor as one custom element — a litegraph canvas with the StEP
 * node set (from the registry; links follow the runtime's socket rules), a palette by category,
 * Run / Run to selected / Cancel, undo / redo, Arrange, Fit, Reset, preset save and load (JSON,
 * or a PNG a graph wrote), drag-and-drop of images, autosave, previews that open in a lightbox,
 * training panels, a run history (run-history.ts), and a footer with a backend menu (the choice
 * remembered, backend-choice.ts) and the backend in use and why. Graphs
 * execute in a Web Worker (worker.ts); the page only draws. docs/editor.md is the user's guide.
 *
 * Attributes: preset (URL of the default graph), start (autosave|preset: whether a reload shows
 * the autosaved graph, the default, or always the preset), backend (auto|webgpu|webgl|wasm|cpu),
 * threads (wasm threads; default every core, at most 8; more than 1 needs cross-origin
 * isolation), readonly, default-model (URL, relative to the page, of the folder 'default' names),
 * allow-origins (space-separated origins graphs may fetch images and models from besides the
 * page's own; '*' for any; property allowOrigins: string[]).
 * Events (CustomEvent, bubbling, composed): graph-change, run-start, run-event (every executor
 * event), run-done, run-error, backend-ready (detail: backendInfo, editor-backend.ts).
 * Keys: Delete / Backspace, Ctrl+A, Ctrl+C / Ctrl+V (litegraph's), Ctrl+Z, Ctrl+Shift+Z / Ctrl+Y,
 * Ctrl+Enter (run), '.' (fit); in the lightbox Escape and the arrow keys.
 * API: load(presetOrUrl), save(), run({ until }), runSelected(), cancel(), undo(), redo(),
 * arrange(), fitView(), reset(), previews(id), openPreview(id, i), nodeReadout(id), backendInfo,
 * lastRun, history, toggleHistory(), openRun(run, i), chooseBackend(choice).
 * Styling: --step-bg, --step-fg, --step-accent, --step-height.
 */
import { LGraph, LGraphCanvas, LGraphNode, LiteGraph } from '@comfyorg/litegraph'
import { html, LitElement } from 'lit'
import { errorMessage } from '../core/errors.js'
import type { RgbImage } from '../core/image/types.js'
import type { BackendChoice } from '../runtime/backend.js'
import { loadPreset } from '../runtime/preset.js'
import type { Preset } from '../runtime/preset-schema.js'
import { graphToPreset, registerStepNodes } from './litegraph-nodes.js'
import {
  applyRunEvent,
  clearOverlays,
  drawOverlay,
  overlayOf,
  previewAt,
  resetOverlays,
} from './node-overlay.js'
import { downloadImages, lightboxTemplate, type LightboxState } from './lightbox.js'
import { LinkDropMenu } from './link-drop.js'
import { trainingLine } from './training-panel.js'
import { openCamera, type Camera } from './camera.js'
import { parseGraphFile, readGraphText, saveFile } from './editor-files.js'
import {
  editorBackendInfo,
  fallbackInfo,
  threadsSetting,
  type EditorBackendInfo,
} from './editor-backend.js'
import { backendControls } from './editor-footer.js'
import { paletteTemplate, toolbarTemplate } from './editor-toolbar.js'
import { modelLink, ModelShelf } from './editor-models.js'
import { editorStyles } from './editor-styles.js'
import { autosaveKey, readAutosave, writeAutosave } from './autosave.js'
import { fromTextEntry, keyCommand, type EditorCommand } from './editor-keys.js'
import { GraphUndo } from './graph-undo.js'
import { allCheckpoints, putCheckpoints } from './model-store.js'
import type { CheckpointItem } from './protocol.js'
import { WorkerRunner, type RunOutcome } from './runner.js'
import { rateStatus } from './train-rate.js'
import { arrange } from './auto-layout.js'
import { fitView, freeSpot } from './view-fit.js'
import { readBackendChoice, writeBackendChoice } from './backend-choice.js'
import { copyCanvas, historyTemplate, RunHistory, type RunRecord } from './run-history.js'

/** The zoom below which litegraph draws nodes without text (its default is 0.6). */
const LOW_QUALITY_ZOOM = 0.5

let registered = false
/** The editor showing each graph (node hooks are registered once, for every editor). */
const editors = new WeakMap<LGraph, StepEditor>()

function registerOnce(): void {
  if (registered) return
  registered = true
  registerStepNodes(
    {
      registerNodeType: (t, c) => LiteGraph.registerNodeType(t, c),
      LGraphNode,
      connections: LiteGraph,
    },
    {
      decorate: (node, ctx) => {
        const o = overlayOf(node)
        if (o) drawOverlay(node, o, ctx)
      },
      menu: (node) => {
        const editor = node.graph ? editors.get(node.graph) : undefined
        const images = editor?.previews(Number(node.id)) ?? []
        if (!editor || images.length === 0) return []
        const many = images.length > 1 ? `${images.length} images` : 'image'
        return [
          { content: `Open ${many}`, action: () => editor.openPreview(Number(node.id), 0) },
          { content: `Save ${many} (PNG)`, action: () => downloadImages(node.title, images) },
        ]
      },
      pointerDown: (node, pos) => {
        const index = previewAt(node, pos)
        const editor = node.graph ? editors.get(node.graph) : undefined
        if (index < 0 || !editor) return false
        editor.openPreview(Number(node.id), index)
        return true
      },
      onChange: (node) => node.graph?.afterChange(),
    },
  )
}

/** The editor element. */
export class StepEditor extends LitElement {
  static override properties = {
    preset: { type: String },
    start: { type: String },
    backend: { type: String },
    threads: {},
    readonly: { type: Boolean },
    defaultModel: { type: String, attribute: 'default-model' },
    allowOrigins: {
      attribute: 'allow-origins',
      converter: (v: string | null) => (v ?? '').split(/\s+/).filter(Boolean),
    },
    status: { state: true },
    backendLabel: { state: true },
    running: { state: true },
    outputs: { state: true },
    live: { state: true },
    models: { state: true },
    lightbox: { state: true },
    historyOpen: { state: true },
  }

  static override styles = editorStyles

  preset = ''
  /**
   * What a page load shows: 'autosave' (default) the graph autosaved by this editor if there is
   * one, else `preset`; 'preset' always `preset` (a user who asked for one, e.g. ?preset=).
   */
  start: 'autosave' | 'preset' = 'autosave'
  backend: BackendChoice = 'auto'
  /** wasm threads: a count (number, or the attribute's text); unset: every core, at most 8. */
  threads: number | string | undefined = undefined
  readonly = false
  defaultModel = ''
  /** Origins besides the page's own that graphs may fetch from ('*': any; default none). */
  allowOrigins: string[] = []
  status = 'starting…'
  backendLabel = ''
  running = false
  outputs: { name: string; url: string }[] = []
  /** Trained checkpoints (path, stage, step), shown in the status bar with export links. */
  models: { path: string; stage: string; step: number }[] = []
  private readonly checkpoints = new ModelShelf()
  private restored: Promise<void> = Promise.resolve()
  /** Whether Live mode (camera frames through the graph) is on. */
  live = false
  /** Frames per second achieved in Live mode. */
  fps = 0
  /** The backend the worker runs on (with its wasm threads), once ready. */
  backendInfo: EditorBackendInfo | null = null
  /** The preview images shown large (null: closed). */
  lightbox: LightboxState | null = null
  /** Status of the last finished run. */
  lastRun: { status: string; message?: string } | null = null
  /** The page's last runs with the images they showed (run-history.ts). */
  readonly history = new RunHistory()
  /** Whether the History panel is shown. */
  historyOpen = false

  readonly graph = new LGraph()
  private readonly linkDrop = new LinkDropMenu(this, this.graph, () => this.changed())
  private view: LGraphCanvas | null = null
  private runner: WorkerRunner | null = null
  /** settings() of the running worker. */
  private runnerSettings = ''
  private presetUrl = globalThis.location?.href ?? ''
  private readonly dropped = new Map<string, Uint8Array>()
  private saveTimer = 0
  private readonly undoStack = new GraphUndo(
    this.graph,
    () => JSON.stringify(this.save()),
    () => {
      this.changed()
      this.view?.setDirty(true, true)
    },
  )
  /** viewState() after the last fit to view ('' when none). */
  private fitted = ''

  override connectedCallback(): void {
    super.connectedCallback()
    registerOnce()
    editors.set(this.graph, this)
    this.graph.onAfterChange = () => this.changed()
    // the menu's last choice, unless the page decides with the attribute
    if (!this.hasAttribute('backend')) this.backend = readBackendChoice() ?? this.backend
    this.addEventListener('keydown', this.onKey)
    if (this.hasUpdated && !this.runner) this.startRunner() // moved in the page
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.removeEventListener('keydown', this.onKey)
    this.runner?.terminate()
    this.runner = null
    this.view?.stopRendering()
  }

  /** (Re)starts the execution worker on the current backend. */
  private startRunner(): void {
    this.runner?.terminate()
    this.backendInfo = null
    this.backendLabel = ''
    const { threads, problem } = threadsSetting(this.threads)
    if (problem) this.status = problem
    const runner = new WorkerRunner(this.backend, threads !== undefined ? { threads } : {})
    this.runnerSettings = this.settings()
    this.runner = runner
    runner.onCheckpoints = (items) => {
      this.keep(items)
      putCheckpoints(items).catch((err: unknown) =>
        this.fail(`could not store the trained model in IndexedDB: ${errorMessage(err)}`),
      )
    }
    this.restored = (
      this.checkpoints.size > 0
        ? Promise.resolve(this.checkpoints.all())
        : allCheckpoints().catch(() => [])
    ).then((items) => {
      this.keep(items)
      runner.restore(items)
    })
    runner.ready.then(
      (info) => {
        this.backendInfo = editorBackendInfo(info)
        this.backendLabel = info.label
        this.emit('backend-ready', this.backendInfo)
      },
      (err: unknown) => this.fail(`backend: ${errorMessage(err)}`),
    )
  }

  override updated(changed: Map<string, unknown>): void {
    // the first render starts the worker; a later backend or threads change restarts it
    const moved = changed.has('backend') || changed.has('threads')
    if (moved && this.runnerSettings !== this.settings() && this.runner) this.startRunner()
  }

  /** The settings the worker starts with, as one comparable string. */
  private settings(): string {
    return JSON.stringify([this.backend, this.threads ?? null])
  }

  override firstUpdated(): void {
    this.startRunner()
    const canvas = this.renderRoot.querySelector('canvas') as HTMLCanvasElement
    this.view = new LGraphCanvas(canvas, this.graph)
    this.view.read_only = this.readonly
    this.view.show_info = false // litegraph's debug read-out (T / I / N / V / FPS)
    // titles, slots and widgets are drawn down to half size, so a 6-column preset fitted to a
    // 1280 x 800 window stays readable (litegraph's default stops drawing them below 0.6)
    this.view.low_quality_zoom_threshold = LOW_QUALITY_ZOOM
    this.linkDrop.attach(this.view, () => this.readonly)
    const box = this.renderRoot.querySelector('.canvas') as HTMLElement
    new ResizeObserver(() => {
      this.view?.resize(box.clientWidth, box.clientHeight)
    }).observe(box)
    const saved = this.start === 'preset' ? null : readAutosave(this.autosaveKey, document.baseURI)
    const fromPreset = () =>
      this.load(this.defaultPreset).catch((err: unknown) =>
        this.fail(`cannot load ${this.defaultPreset}: ${errorMessage(err)}`),
      )
    if (!saved) void fromPreset()
    else
      this.load(saved.graph, { baseUrl: saved.baseUrl }).then(
        () => (this.status = 'your last graph, as autosaved (Reset: the default graph)'),
        () => fromPreset(),
      )
  }

  /** The graph this editor starts from: `preset`, else the shipped default preset. */
  get defaultPreset(): string {
    return this.preset || new URL('examples/presets/default.json', document.baseURI).href
  }

  /** The localStorage key this editor autosaves under (autosave.ts). */
  get autosaveKey(): string {
    return autosaveKey(this.preset)
  }

  /** Replaces the graph with the default one (`preset`); Ctrl+Z brings the edited one back. */
  reset(): Promise<void> {
    return this.load(this.defaultPreset)
  }

  /**
   * Loads a preset object or URL (JSON, or a PNG that carries a graph). Relative paths in it
   * resolve against its URL, or `baseUrl` for an object (else the last graph's base).
   */
  async load(source: string | object, options: { baseUrl?: string } = {}): Promise<void> {
    let json: unknown = source
    if (options.baseUrl) this.presetUrl = options.baseUrl
    if (typeof source === 'string') {
      this.presetUrl = new URL(source, document.baseURI).href
      const bytes = new Uint8Array(await (await fetch(this.presetUrl)).arrayBuffer())
      json = parseGraphFile(bytes, source)
    }
    const { preset, problems } = loadPreset(json, typeof source === 'string' ? source : 'preset')
    clearOverlays(this.graph) // the new graph's ids name other nodes
    for (const o of this.outputs) URL.revokeObjectURL(o.url)
    this.outputs = []
    this.graph.clear()
    this.graph.configure(preset as unknown as Parameters<LGraph['configure']>[0])
    for (const p of problems) this.status = `${p.title}: ${p.message}`
    if (problems.length === 0) this.status = 'graph loaded'
    this.changed()
    this.fitView()
  }

  /** Undoes the last graph edit (Ctrl+Z); false when there is none. */
  undo(): boolean {
    return this.undoStack.undo()
  }

  /** Redoes the last undone edit (Ctrl+Shift+Z, Ctrl+Y); false when there is none. */
  redo(): boolean {
    return this.undoStack.redo()
  }

  /** The preview images of a node (the last ones it showed), e.g. to save them elsewhere. */
  previews(nodeId: number): HTMLCanvasElement[] {
    const node = this.graph.getNodeById(nodeId)
    return node ? [...(overlayOf(node)?.previews ?? [])] : []
  }

  /** What a node shows of the last run: its training line and loss points, its error. */
  nodeReadout(nodeId: number): {
    training: string | null
    lossPoints: number
    error: string | null
  } {
    const node = this.graph.getNodeById(nodeId)
    const o = node ? overlayOf(node) : undefined
    return {
      training: o?.training ? trainingLine(o) : null,
      lossPoints: o?.losses.length ?? 0,
      error: o?.error ?? null,
    }
  }

  /** Opens the lightbox on preview `index` of node `nodeId` (what a click on a preview does). */
  openPreview(nodeId: number, index = 0): void {
    const node = this.graph.getNodeById(nodeId)
    const images = this.previews(nodeId)
    if (!node || !images[index]) return
    this.showLightbox({ title: node.title, images, index })
  }

  /** Opens the lightbox; keys (Escape, arrows) reach the editor wherever it was opened from. */
  private showLightbox(state: LightboxState): void {
    this.lightbox = state
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('#lightbox-close')?.focus(),
    )
  }

  /** Closes the lightbox; keys go back to the canvas. */
  private closeLightbox(): void {
    this.lightbox = null
    this.view?.canvas.focus({ preventScroll: true })
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    if (this.linkDrop.open && e.key === 'Escape') {
      this.linkDrop.close()
      e.preventDefault()
      return
    }
    if (this.lightbox) {
      const { index, images } = this.lightbox
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
      if (e.key === 'Escape') this.closeLightbox()
      else if (step)
        this.lightbox = { ...this.lightbox, index: (index + step + images.length) % images.length }
      else return
      e.preventDefault()
      return
    }
    if (fromTextEntry(e)) return
    const command = keyCommand(e)
    if (!command) return
    e.preventDefault()
    e.stopPropagation()
    this.command(command)
  }

  /** Carries out a keyboard command. */
  private command(c: EditorCommand): void {
    if (c === 'undo') this.undo()
    else if (c === 'redo') this.redo()
    else if (c === 'fit') this.fitView()
    else if (!this.running && !this.readonly) void this.run()
  }

  /** Pans and zooms the canvas so the whole graph is visible. */
  fitView(): void {
    if (!this.view) return
    fitView(this.view, this.graph)
    this.fitted = this.viewState()
  }

  /** The view's pan and zoom, comparable (to tell whether the user moved it since a fit). */
  private viewState(): string {
    const ds = this.view?.ds
    return ds ? JSON.stringify([ds.scale, ...ds.offset]) : ''
  }

  /** The graph as a preset (what Save writes). */
  save(): Preset {
    return graphToPreset(this.graph)
  }

  /** Runs the graph (or only `until` and its ancestors) in the worker. */
  async run(options: { until?: number; frame?: RgbImage } = {}): Promise<RunOutcome> {
    const runner = this.runner
    if (!runner) return { status: 'failed', message: 'no backend yet' }
    await this.restored
    if (!options.frame) resetOverlays(this.graph)
    this.running = true
    this.lastRun = null
    if (!this.live) this.status = 'running…'
    this.emit('run-start', options)
    let fallback = '' // a backend fault the run survived, kept in the final status line
    const titles = new Map<number, string>()
    const started = Date.now()
    return runner
      .run(this.save(), {
        baseUrl: this.presetUrl,
        // the attribute is relative to the page, like `preset`
        defaultModelUrl: new URL(this.defaultModel || 'examples/models/default/', document.baseURI)
          .href,
        allowOrigins: this.allowOrigins,
        ...(options.until !== undefined ? { until: options.until } : {}),
        ...(options.frame ? { frame: options.frame } : {}),
        files: this.dropped,
        onEvent: (e) => {
          this.emit('run-event', e)
          if (e.type === 'executing') titles.set(e.node, e.title)
          if (e.type === 'executing' && !this.live) this.status = `running ${e.title}…`
          if (e.type === 'backend-fallback') {
            const f = fallbackInfo(e)
            fallback = f.status
            this.status = f.status
            this.backendInfo = f.info
            this.backendLabel = f.info.label
          }
          applyRunEvent(this.graph, e)
          if (e.type === 'progress' && !this.live && !fallback) {
            const node = this.graph.getNodeById(e.node)
            const rate = node ? overlayOf(node)?.rate : null
            if (rate && rate.perSecond !== null)
              this.status = rateStatus(titles.get(e.node) ?? '', e.value, e.max, rate)
          }
          this.view?.setDirty(true, true)
        },
        onOutput: (name, bytes) => {
          const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'image/png' }))
          this.outputs = [...this.outputs.filter((o) => o.name !== name), { name, url }]
        },
      })
      .then((outcome) => {
        this.running = false
        this.lastRun = outcome
        if (!this.live) this.remember(outcome, started)
        // nodes grew for their previews: keep the whole graph in view, unless the user moved it
        if (!this.live && this.fitted === this.viewState()) this.fitView()
        if (!this.live || outcome.status !== 'done' || fallback)
          this.status =
            (outcome.message ? `${outcome.status}: ${outcome.message}` : outcome.status) +
            (fallback ? ` (${fallback})` : '')
        this.emit(outcome.status === 'done' ? 'run-done' : 'run-error', outcome)
        return outcome
      })
  }

  /**
   * Live mode: runs the graph again and again, each time with the camera's newest frame for the
   * Webcam nodes, showing the frame rate achieved; stops on stopLive(), a failed run or a missing
   * camera (the status says why).
   */
  async startLive(): Promise<void> {
    if (this.live) return
    let camera: Camera
    try {
      camera = await openCamera()
    } catch (err) {
      this.status = errorMessage(err)
      this.emit('run-error', { status: 'no-camera', message: this.status })
      return
    }
    this.live = true
    this.fps = 0
    resetOverlays(this.graph)
    const t0 = performance.now()
    let frames = 0
    try {
      while (this.live) {
        const outcome = await this.run({ frame: camera.frame() })
        if (outcome.status !== 'done') break
        frames++
        this.fps = frames / ((performance.now() - t0) / 1000)
        this.status = `live: ${this.fps.toFixed(1)} fps (${frames} frames)`
      }
    } finally {
      camera.close()
      this.live = false
    }
  }

  /** Adds a finished run and copies of the previews it left to the history. */
  private remember(outcome: RunOutcome, started: number): void {
    const images = this.graph.nodes.flatMap((node) => {
      const o = overlayOf(node)
      if (!o || o.stale) return []
      return o.previews.map((image) => ({ node: node.title, image: copyCanvas(image) }))
    })
    const status = outcome.message ? `${outcome.status}: ${outcome.message}` : outcome.status
    this.history.add({ started, ms: Date.now() - started, status, images })
    this.requestUpdate()
  }

  /** Shows or hides the History panel. */
  toggleHistory(): void {
    this.historyOpen = !this.historyOpen
  }

  /** Opens image `index` of a run from the history in the lightbox. */
  openRun(run: RunRecord, index = 0): void {
    const images = run.images.map((i) => i.image)
    if (!images[index]) return
    this.showLightbox({ title: `run ${run.id}`, images, index })
  }

  /** Picks the backend (the worker restarts on it) and remembers it for the next visit. */
  chooseBackend(choice: BackendChoice): void {
    this.backend = choice
    writeBackendChoice(choice)
  }

  /** Trained checkpoints known to the editor (from runs, IndexedDB or imported files). */
  modelList(): { path: string; stage: string; step: number }[] {
    return this.checkpoints.list()
  }

  /** A checkpoint as one file's text (.stepckpt), for download. */
  exportCheckpoint(path: string): string {
    return this.checkpoints.exportText(path)
  }

  /** Imports a .stepckpt file's text: stored in IndexedDB and usable by Load Model at once. */
  async importCheckpoint(text: string, name = 'checkpoint file'): Promise<string> {
    const item = await this.checkpoints.importText(text, name)
    this.models = this.modelList()
    this.runner?.restore([item])
    await putCheckpoints([item])
    return item.path
  }

  private keep(items: readonly CheckpointItem[]): void {
    this.checkpoints.keep(items)
    this.models = this.modelList()
  }

  /** Runs the selected node and what it needs (the whole graph when nothing is selected). */
  runSelected(): Promise<RunOutcome> {
    const first = [...(this.view?.selectedItems ?? [])].find((i) => i instanceof LGraphNode)
    return this.run(first instanceof LGraphNode ? { until: Number(first.id) } : {})
  }

  /** Starts or stops Live mode. */
  toggleLive(): void {
    if (this.live) this.stopLive()
    else void this.startLive()
  }

  /** Lays the graph out left to right and fits it to the view (undoable). */
  arrange(): void {
    arrange(this.graph)
    this.changed()
    this.fitView()
  }

  /** Ends Live mode after the current frame. */
  stopLive(): void {
    this.live = false
  }

  /** Asks the running graph to stop (training nodes keep their last checkpoint). */
  cancel(): void {
    this.runner?.cancel()
  }

  private async onDrop(e: DragEvent): Promise<void> {
    e.preventDefault()
    for (const file of Array.from(e.dataTransfer?.files ?? [])) {
      const bytes = new Uint8Array(await file.arrayBuffer())
      const isGraph = file.name.endsWith('.json') || readGraphText(bytes) !== null
      if (isGraph) {
        await this.load(parseGraphFile(bytes, file.name) as object)
        continue
      }
      this.dropped.set(file.name, bytes)
      const node = LiteGraph.createNode('step/load-image')
      if (!node) continue
      node.properties.path = file.name
      node.onConfigure?.({} as never)
      const [x = 40, y = 40] = this.view?.convertEventToCanvasOffset(e) ?? []
      node.pos = [x, y]
      this.graph.add(node)
      this.changed()
    }
  }

  /** Offers the graph as a JSON download (Save). */
  download(): void {
    saveFile('step-graph.json', JSON.stringify(this.save(), null, 2), 'application/json')
  }

  /** Loads the file picked with Load: a graph (JSON, provenance PNG) or a checkpoint. */
  async pick(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0]
    if (!file) return
    try {
      if (file.name.endsWith('.stepckpt')) {
        const path = await this.importCheckpoint(await file.text(), file.name)
        this.status = `imported model '${path}' (Load Model path: ${path})`
        return
      }
      await this.load(parseGraphFile(new Uint8Array(await file.arrayBuffer()), file.name) as object)
    } catch (err) {
      this.fail(errorMessage(err))
    }
  }

  /** Adds a node from the palette near the middle of the view, where no other node is. */
  private addNode(type: string): void {
    const node = LiteGraph.createNode(type)
    if (!node || !this.view) return
    const { ds, canvas } = this.view
    const [w = 200, h = 100] = node.size
    const [cx = 0, cy = 0] = ds.convertCanvasToOffset([
      canvas.clientWidth / 2,
      canvas.clientHeight / 3,
    ])
    node.pos = freeSpot(this.graph.nodes, [cx - w / 2, cy - h / 2], [w, h])
    this.graph.add(node)
    this.changed()
  }

  private changed(): void {
    this.undoStack.changed()
    this.emit('graph-change', null)
    clearTimeout(this.saveTimer)
    this.saveTimer = window.setTimeout(() => {
      writeAutosave(this.autosaveKey, { graph: this.save(), baseUrl: this.presetUrl })
    }, 500)
  }

  private fail(message: string): void {
    this.status = message
    this.emit('run-error', { status: 'failed', message })
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }

  override render() {
    return html`
      ${toolbarTemplate(this)}
      <div class="main">
        ${this.readonly ? null : paletteTemplate((type) => this.addNode(type))}
        <div
          class="canvas"
          @dragover=${(e: DragEvent) => e.preventDefault()}
          @drop=${(e: DragEvent) => void this.onDrop(e)}
        >
          <canvas
            tabindex="0"
            @pointerdown=${(e: PointerEvent) =>
              (e.currentTarget as HTMLCanvasElement).focus({ preventScroll: true })}
          ></canvas>
        </div>
        ${
          this.historyOpen
            ? historyTemplate(this.history.list(), {
                open: (run, index) => this.openRun(run, index),
                save: (run) =>
                  downloadImages(
                    `run ${run.id}`,
                    run.images.map((i) => i.image),
                  ),
                clear: () => {
                  this.history.clear()
                  this.requestUpdate()
                },
                close: () => (this.historyOpen = false),
              })
            : null
        }
      </div>
      <footer>
        ${backendControls(this.backend, this.backendInfo, (choice) => this.chooseBackend(choice))}
        <span
          >${this.outputs.map((o) => html`<a href=${o.url} download=${o.name}>${o.name}</a>`)}</span
        >
        <span id="models"
          >${this.models.map((m) => modelLink(m, (p) => this.exportCheckpoint(p)))}</span
        >
      </footer>
      ${this.linkDrop.template()}
      ${
        this.lightbox
          ? lightboxTemplate(this.lightbox, {
              close: () => this.closeLightbox(),
              show: (index) => this.lightbox && (this.lightbox = { ...this.lightbox, index }),
            })
          : null
      }
    `
  }
}

if (!customElements.get('step-editor')) customElements.define('step-editor', StepEditor)
