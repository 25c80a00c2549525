/**
 * `step dataset edges` on a folder tree: photos in subfolders are read (named after their
 * folders), hidden folders are reported, and the progress rate counts the first photo's time
 * (it used to print 1000.0/s, a rate measured over no time at all).
 */
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodePng } from '../src/core/image/encode.js'
import { createRgbImage } from '../src/core/image/types.js'
import { bigJpeg } from './helpers/big-photo.js'
import { step } from './helpers/step-cli.js'

function squarePhoto(): Uint8Array {
  const photo = createRgbImage(80, 60)
  for (let y = 0; y < 60; y++)
    for (let x = 0; x < 80; x++)
      photo.data.fill(
        x > 20 && x < 60 && y > 15 && y < 45 ? 230 : 30,
        (y * 80 + x) * 3,
        (y * 80 + x) * 3 + 3,
      )
  return encodePng(photo)
}

describe('step dataset edges on a folder tree', () => {
  it('reads subfolders, reports hidden ones, and reports a real rate', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'step-edges-tree-'))
    const photos = join(tmp, 'photos')
    await mkdir(join(photos, 'beach', 'day2'), { recursive: true })
    await mkdir(join(photos, '.thumbs'))
    await writeFile(join(photos, 'top.jpg'), bigJpeg(1600, 1200))
    await writeFile(join(photos, 'beach', 'a.png'), squarePhoto())
    await writeFile(join(photos, 'beach', 'day2', 'b.png'), squarePhoto())
    await writeFile(join(photos, '.thumbs', 'c.png'), squarePhoto())
    const out = join(tmp, 'edges')
    const r = step('dataset', 'edges', '--from', photos, '--out', out, '--size', '64')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('wrote 3 pairs')
    expect(r.stdout).toContain('(photos from 2 subfolder(s) included)')
    expect(r.stderr).toContain(
      `step: warning: left out 1 subfolder(s) (hidden, or nested deeper than 8): .thumbs`,
    )
    expect((await readdir(out)).sort()).toEqual([
      'beach_a.png',
      'beach_day2_b.png',
      'edges.json',
      'top.png',
    ])
    const rates = [...r.stderr.matchAll(/edges \d+\/3 \(([\d.]+)\/s/g)].map((m) => Number(m[1]))
    expect(rates.length).toBeGreaterThan(0)
    // decoding a 1600x1200 JPEG alone takes well over 10 ms: no rate near 1000/s
    for (const rate of rates) expect(rate).toBeLessThan(100)
  })
})
