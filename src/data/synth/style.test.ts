import { describe, expect, it } from 'vitest'
import { createRng } from '../../core/rng.js'
import { renderStyled } from './render.js'
import { sampleScene } from './scene.js'
import {
  STYLE_CLUSTER_COUNT,
  TEXTURE_KINDS,
  sampleStyle,
  styleCluster,
  styleParams,
  timeOfDay,
  withCluster,
  type SynthStyle,
} from './style.js'

const styles = (n: number, seed: number): SynthStyle[] =>
  Array.from({ length: n }, (_, k) => sampleStyle(createRng(seed + k)))

describe('sampleStyle', () => {
  it('is deterministic and keeps every parameter in range', () => {
    expect(sampleStyle(createRng(9))).toEqual(sampleStyle(createRng(9)))
    expect(sampleStyle(createRng(9))).not.toEqual(sampleStyle(createRng(10)))
    for (const s of styles(200, 1)) {
      for (const v of [s.hue, s.saturation, s.lightness, s.textureStrength, s.daylight]) {
        expect(v).toBeGreaterThanOrEqual(0)
        expect(v).toBeLessThanOrEqual(1)
      }
      for (const c of [...s.skyTop, ...s.skyHorizon, ...s.tint]) {
        expect(c).toBeGreaterThanOrEqual(0)
        expect(c).toBeLessThanOrEqual(1)
      }
      expect(TEXTURE_KINDS).toContain(s.texture)
      expect(s.textureScale).toBeGreaterThanOrEqual(0.04)
      expect(s.textureScale).toBeLessThanOrEqual(0.12)
      expect(s.lightAngle).toBeLessThanOrEqual(0)
      expect(s.lightAngle).toBeGreaterThanOrEqual(-Math.PI)
    }
  })

  it('draws continuous parameters: no two of 200 styles share a hue or a daylight', () => {
    const all = styles(200, 77)
    expect(new Set(all.map((s) => s.hue)).size).toBe(200)
    expect(new Set(all.map((s) => s.daylight)).size).toBe(200)
  })
})

describe('style clusters', () => {
  it('derives the cluster from time of day x texture kind, in [0, STYLE_CLUSTER_COUNT)', () => {
    expect(STYLE_CLUSTER_COUNT).toBe(12)
    expect(timeOfDay(0.1)).toBe('night')
    expect(timeOfDay(0.5)).toBe('dusk')
    expect(timeOfDay(0.9)).toBe('day')
    const base = styles(1, 3)[0] as SynthStyle
    expect(styleCluster({ ...base, daylight: 0.1, texture: 'stripes' })).toBe(0)
    expect(styleCluster({ ...base, daylight: 0.5, texture: 'dots' })).toBe(5)
    expect(styleCluster({ ...base, daylight: 0.95, texture: 'noise' })).toBe(11)
    expect(withCluster({ ...base, cluster: 99 } as SynthStyle).cluster).toBe(styleCluster(base))
    expect(styleParams(base)).not.toHaveProperty('cluster')
    for (const s of styles(200, 500)) {
      expect(s.cluster).toBe(styleCluster(s))
      expect(Number.isInteger(s.cluster)).toBe(true)
      expect(s.cluster).toBeGreaterThanOrEqual(0)
      expect(s.cluster).toBeLessThan(STYLE_CLUSTER_COUNT)
    }
  })

  it('reaches at least 70% of the clusters with 200 styles', () => {
    const seen = new Set(styles(200, 1000).map((s) => s.cluster))
    expect(seen.size).toBeGreaterThanOrEqual(Math.ceil(0.7 * STYLE_CLUSTER_COUNT))
  })

  it('makes styles of one cluster look alike: rendered mean colours are closer within clusters', () => {
    const scene = sampleScene(42)
    const feats = styles(120, 5000).map((s) => {
      const { data } = renderStyled(scene, s, 32)
      const mean = [0, 1, 2].map((c) => {
        let sum = 0
        for (let i = c; i < data.length; i += 3) sum += data[i] ?? 0
        return sum / (data.length / 3)
      })
      return { cluster: s.cluster, mean }
    })
    let within = 0
    let nWithin = 0
    let across = 0
    let nAcross = 0
    for (let i = 0; i < feats.length; i++) {
      for (let j = i + 1; j < feats.length; j++) {
        const a = feats[i]
        const b = feats[j]
        if (!a || !b) continue
        const d = Math.hypot(...a.mean.map((v, k) => v - (b.mean[k] ?? 0)))
        if (a.cluster === b.cluster) {
          within += d
          nWithin++
        } else {
          across += d
          nAcross++
        }
      }
    }
    expect(nWithin).toBeGreaterThan(100)
    expect(within / nWithin).toBeLessThan(0.6 * (across / nAcross))
  })
})
