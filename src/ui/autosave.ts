/**
 * The editor's autosave: the graph being edited, kept in localStorage with the URL its relative
 * paths resolve against, so a reload brings back the edited graph rather than the page's preset.
 * One entry per editor "document": the key names the element's `preset` attribute, so two pages
 * embedding different presets do not overwrite each other's work.
 */

const PREFIX = 'step-editor:autosave'

/** What is stored: the graph (a preset object) and the URL relative paths in it resolve against. */
export interface Autosaved {
  readonly graph: object
  readonly baseUrl: string
}

/** The localStorage key for an editor whose `preset` attribute is `preset`. */
export function autosaveKey(preset: string): string {
  return preset ? `${PREFIX}:${preset}` : PREFIX
}

/** The autosaved graph under `key`, or null (none, storage unavailable or unreadable). */
export function readAutosave(key: string, fallbackBase: string): Autosaved | null {
  let text: string | null
  try {
    text = globalThis.localStorage?.getItem(key) ?? null
  } catch {
    return null // storage blocked (e.g. a sandboxed frame)
  }
  if (!text) return null
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value !== 'object' || value === null) return null
    if ('graph' in value && typeof value.graph === 'object' && value.graph !== null)
      return {
        graph: value.graph,
        baseUrl:
          'baseUrl' in value && typeof value.baseUrl === 'string' ? value.baseUrl : fallbackBase,
      }
    return { graph: value, baseUrl: fallbackBase } // written before the base URL was kept
  } catch {
    return null
  }
}

/** Stores `saved` under `key`; false when storage refused it (full or blocked). */
export function writeAutosave(key: string, saved: Autosaved): boolean {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(saved))
    return true
  } catch {
    return false
  }
}
