/** Launching Debian's Chromium for tests (never a downloaded browser). */
import { existsSync } from 'node:fs'
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
    ],
  })
}
