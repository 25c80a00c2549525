/**
 * The backend a user picked in the editor's menu, remembered in localStorage so a reload keeps
 * it. A page that sets the `backend` attribute decides instead (the attribute wins).
 */
import { BACKEND_NAMES, type BackendChoice } from '../runtime/backend.js'

const KEY = 'step-editor:backend'

/** Every value the menu offers. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_NAMES]

/** Whether `value` is a backend choice. */
export function isBackendChoice(value: unknown): value is BackendChoice {
  return typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value)
}

/** The remembered choice, or null (none, storage blocked, or a value this version does not know). */
export function readBackendChoice(storage = safeStorage()): BackendChoice | null {
  try {
    const value = storage?.getItem(KEY) ?? null
    return isBackendChoice(value) ? value : null
  } catch {
    return null
  }
}

/** Remembers `choice` ('auto' forgets: the default needs no entry); false when storage is blocked. */
export function writeBackendChoice(choice: BackendChoice, storage = safeStorage()): boolean {
  try {
    if (!storage) return false
    if (choice === 'auto') storage.removeItem(KEY)
    else storage.setItem(KEY, choice)
    return true
  } catch {
    return false
  }
}

/** The page's localStorage, or null where reading it throws (a sandboxed frame). */
function safeStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}
