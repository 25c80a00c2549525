import { describe, expect, it } from 'vitest'
import { sampleScene, type RegionRole } from './scene.js'

describe('sampleScene', () => {
  it('is a pure function of the seed', () => {
    expect(sampleScene(123)).toEqual(sampleScene(123))
    expect(JSON.stringify(sampleScene(123))).toBe(JSON.stringify(sampleScene(123)))
    expect(JSON.stringify(sampleScene(124))).not.toBe(JSON.stringify(sampleScene(123)))
  })

  it('has the sky as region 0 and valid, normalised parts', () => {
    for (let seed = 0; seed < 50; seed++) {
      const scene = sampleScene(seed)
      expect(scene.regions[0]?.role).toBe('sky')
      expect(scene.horizon).toBeGreaterThan(0.4)
      expect(scene.horizon).toBeLessThan(0.7)
      expect(scene.regions.length).toBeLessThanOrEqual(256)
      expect(scene.parts.some((p) => p.region === 0)).toBe(false)
      const coords: number[] = []
      for (const { region, shape } of scene.parts) {
        expect(region).toBeGreaterThan(0)
        expect(region).toBeLessThan(scene.regions.length)
        if (shape.kind === 'ellipse') coords.push(shape.cx, shape.cy, shape.rx, shape.ry)
        else coords.push(...shape.points)
      }
      expect(coords.every((v) => Number.isFinite(v))).toBe(true)
      expect(Math.min(...coords)).toBeGreaterThan(-0.25)
      expect(Math.max(...coords)).toBeLessThan(1.25)
      for (const r of scene.regions) {
        expect(r.tone).toBeGreaterThanOrEqual(0)
        expect(r.tone).toBeLessThan(1)
        expect(r.hw).toBeGreaterThan(0)
        expect(r.hh).toBeGreaterThan(0)
      }
    }
  })

  it('varies its content: every kind of region shows up across 60 scenes', () => {
    const seen = new Set<RegionRole>()
    const counts: number[] = []
    for (let seed = 0; seed < 60; seed++) {
      const scene = sampleScene(seed * 7919)
      scene.regions.forEach((r) => seen.add(r.role))
      counts.push(scene.regions.length)
    }
    const all: RegionRole[] = ['sky', 'celestial', 'cloud', 'mountain', 'hill', 'ground', 'road']
    all.push('water', 'wall', 'roof', 'door', 'window', 'trunk', 'foliage', 'rock', 'box', 'tent')
    expect([...seen].sort()).toEqual(all.sort())
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(6)
    expect(new Set(counts).size).toBeGreaterThan(5)
  })
})
