/**
 * Trained checkpoints kept in the browser's IndexedDB (database 'step-graph', store
 * 'checkpoints', keyed by path), so models trained in the editor survive reloads.
 */
import type { CheckpointItem } from './protocol.js'

const DB = 'step-graph'
const STORE = 'checkpoints'

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'path' })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'))
  })
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'))
  })
}

/** Stores (or replaces) checkpoints. */
export async function putCheckpoints(items: readonly CheckpointItem[]): Promise<void> {
  const db = await open()
  try {
    const tx = db.transaction(STORE, 'readwrite')
    for (const item of items) tx.objectStore(STORE).put(item)
    await done(tx)
  } finally {
    db.close()
  }
}

/** Every stored checkpoint. */
export async function allCheckpoints(): Promise<CheckpointItem[]> {
  const db = await open()
  try {
    const req = db.transaction(STORE, 'readonly').objectStore(STORE).getAll()
    return await new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result as CheckpointItem[])
      req.onerror = () => reject(req.error ?? new Error('IndexedDB read failed'))
    })
  } finally {
    db.close()
  }
}
