/**
 * What nodes need from the place they run in — files, datasets, checkpoints — as one interface.
 * The headless runner implements it over a folder (src/runtime/env.node.ts), the editor's worker
 * over fetch and memory (src/runtime/env-browser.ts). Nodes never touch the file system themselves.
 */
import type { RgbImage } from '../core/image/types.js'
import type { PairedDataset } from '../data/paired.js'
import type { SynthManifest } from '../data/synth/manifest.js'
import type { CheckpointIO } from '../checkpoint/format.js'
import type { LoadedCheckpoint } from '../checkpoint/loaded.js'
import type { NeighbourCache } from '../train/mining/mine.js'

/** Options of NodeEnv.writeSynthDataset (see `step dataset synth`). */
export interface SynthRequest {
  readonly count: number
  readonly size: number
  readonly seed: number
  readonly onProgress?: (done: number) => void
}

/** The environment a graph runs in. Relative paths resolve against `inputDir` / `outputDir`. */
export interface NodeEnv {
  /** Shown in messages, e.g. 'node' or 'browser'. */
  readonly label: string
  /** Reads an input file (an image). Errors name the path. */
  readBytes(path: string): Promise<Uint8Array>
  /** Writes an output file under the run's output folder; returns where it went. */
  writeOutput(name: string, bytes: Uint8Array): Promise<string>
  /** Opens a pix2pix-format dataset. */
  openDataset(path: string): Promise<PairedDataset>
  /** Writes (or reuses, when already complete) a synthetic dataset; returns its folder. */
  writeSynthDataset(request: SynthRequest): Promise<{ path: string; manifest: SynthManifest }>
  /** Checkpoint storage of a training node, under the run's output folder. */
  checkpointIO(path: string): CheckpointIO
  /** Where `checkpointIO(path)` stores things (for handles and messages). */
  checkpointPath(path: string): string
  /** Loads a checkpoint or exported model; 'default' is the shipped default model. */
  loadCheckpoint(path: string): Promise<LoadedCheckpoint>
  /**
   * The path or URL a graph may read `path` as (resolved against the preset's folder or URL),
   * or InputError when it may not (a URL or file outside what the environment allows;
   * docs/decisions/0011-untrusted-presets.md); `what` names the widget. Pass the RETURNED value
   * on (e.g. to loadFeatureExtractor), never `path` itself. readBytes, openDataset and
   * loadCheckpoint resolve their paths themselves.
   */
  resolveInput?(path: string, what: string): string
  /** Where mined neighbour lists are cached (undefined: no cache). */
  neighbourCache(): NeighbourCache | undefined
  /** The current camera frame; absent where there is no camera (headless runs). */
  camera?(): Promise<RgbImage>
}
