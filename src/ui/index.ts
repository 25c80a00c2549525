/**
 * The editor as a library: importing this module defines <step-editor>; the plugin entry points
 * install the StEP nodes into an existing litegraph page.
 */
export { StepEditor } from './step-editor.js'
export { installStepPlugin, type PluginOptions, type StepPlugin } from './plugin.js'
export { definitionOf, graphToPreset, registerStepNodes } from './litegraph-nodes.js'
export type { LiteGraphLike, RegisterOptions } from './litegraph-nodes.js'
export { WorkerRunner, type RunOutcome, type WorkerRunOptions } from './runner.js'
