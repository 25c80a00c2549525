/** Launching Debian's Chromium for tests (never a downloaded browser). */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

/** Path of the system Chromium, or null when it is not installed. */
export function chromiumPath(): string | null {
  const candidates = [
    process.env.STEP_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ].filter((p): p is string => !!p)
  return candidates.find((p) => existsSync(p)) ?? null
}

/** Headless Chromium with WebGPU enabled (SwiftShader without a GPU) and no background networking. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-unsafe-webgpu',
      // a synthetic camera, granted without a prompt (the editor's Live mode is tested with it)
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  })
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.bin': 'application/octet-stream',
}

/** A static file server on 127.0.0.1 (random port) over `root`; `mounts` map URL prefixes to folders. */
export function serveStatic(
  root: string,
  mounts: Record<string, string> = {},
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'))
    const mount = Object.keys(mounts).find((m) => path.startsWith(m))
    const file = mount
      ? join(mounts[mount] ?? root, path.slice(mount.length))
      : join(root, path === '/' ? 'index.html' : path)
    readFile(file).then(
      (body) =>
        res
          .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
          .end(body),
      () => res.writeHead(404).end(),
    )
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address()
      resolve({
        server,
        url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`,
      })
    }),
  )
}
