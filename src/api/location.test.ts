import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { localPath } from './location.js'

describe('localPath', () => {
  it('reads paths, file: URLs and their text from disk under Node', async () => {
    expect(await localPath('models/default')).toBe('models/default')
    expect(await localPath('/tmp/a b.png')).toBe('/tmp/a b.png')
    const url = pathToFileURL('/tmp/a b.png')
    expect(await localPath(url)).toBe('/tmp/a b.png')
    expect(await localPath(url.href)).toBe('/tmp/a b.png')
  })

  it('fetches http(s), blob: and data: sources, and everything outside Node', async () => {
    for (const s of [
      'https://x.org/m/',
      'HTTP://x.org/a.png',
      'blob:abc',
      'data:image/png;base64,AA',
    ])
      expect(await localPath(s)).toBeNull()
    expect(await localPath(new URL('https://x.org/m/'))).toBeNull()
    expect(await localPath('models/default', false)).toBeNull()
  })
})
