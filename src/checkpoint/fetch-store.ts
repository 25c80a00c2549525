/** Loading a checkpoint or exported model over HTTP(S) (browsers, workers): manifest + weights. */
import { errorMessage, InputError, StepError } from '../core/errors.js'
import { decodeVerified, parseManifest } from './format.js'
import type { LoadedCheckpoint } from './loaded.js'

/**
 * Fetches `base`/manifest.json and every weights file it lists, each checked against its size and
 * SHA-256; errors name the URL.
 */
export async function fetchCheckpoint(
  base: string,
  fetcher: typeof fetch = fetch,
): Promise<LoadedCheckpoint> {
  const root = base.endsWith('/') ? base : `${base}/`
  const get = async (url: string): Promise<Response> => {
    let res: Response
    try {
      // a redirect could leave the origins the caller checked: refused, not followed
      res = await fetcher(url, { redirect: 'error' })
    } catch (err) {
      if (err instanceof StepError) throw err // the caller's policy refused it: keep its words
      throw new InputError('checkpoint/unreachable', `cannot fetch (${errorMessage(err)})`, url)
    }
    if (!res.ok) throw new InputError('checkpoint/missing', `HTTP ${res.status}`, url)
    return res
  }
  const manifestUrl = `${root}manifest.json`
  const manifest = parseManifest(await (await get(manifestUrl)).text(), manifestUrl)
  const groups: LoadedCheckpoint['groups'] = {}
  try {
    for (const [group, w] of Object.entries(manifest.weights)) {
      const url = `${root}${w.file}`
      groups[group] = await decodeVerified(w, await (await get(url)).arrayBuffer(), base, url)
    }
  } catch (err) {
    for (const g of Object.values(groups)) for (const t of g) t.tensor.dispose()
    throw err
  }
  return { manifest, groups }
}
