import { describe, expect, it } from 'vitest'
import { agreement, clusterMeans, nearestClusters, styleFidelity } from './style-fidelity.js'

// 1-D codes: cluster 0 around 0, cluster 1 around 10, cluster 3 around 20
const labels = [0, 0, 1, 1, 3, 3]
const codes = Float32Array.from([-1, 1, 9, 11, 19, 21])

describe('clusterMeans', () => {
  it('averages the codes of each cluster, ids ascending', () => {
    const { ids, means } = clusterMeans(codes, labels, 1)
    expect(ids).toEqual([0, 1, 3])
    expect([...means]).toEqual([0, 10, 20])
  })

  it('refuses labels that do not match the codes', () => {
    expect(() => clusterMeans(codes, [0, 1], 1)).toThrow(/2 labels for 6 codes/)
  })

  it('works per dimension', () => {
    const { means } = clusterMeans(Float32Array.from([0, 2, 4, 6]), [5, 5], 2)
    expect([...means]).toEqual([2, 4])
  })
})

describe('nearestClusters and agreement', () => {
  it('assigns each code the cluster of its nearest mean', async () => {
    const near = await nearestClusters(
      Float32Array.from([4, 6, 16, 100]),
      [0, 1, 3],
      Float32Array.from([0, 10, 20]),
      1,
    )
    expect(near).toEqual([0, 1, 3, 3])
  })

  it('counts matches overall and per factor', () => {
    // clusters 0..3 as factor a = c >> 1, b = c & 1
    const f = { a: (c: number) => c >> 1, b: (c: number) => c & 1 }
    const r = agreement([0, 1, 2, 3], [0, 0, 3, 3], f)
    expect(r.own_cluster).toBe(0.5)
    expect(r.factors).toEqual({ a: 1, b: 0.5 })
  })
})

describe('styleFidelity', () => {
  it('scores E(B) and the re-encoded codes against the means of E(B)', async () => {
    // re-encoded: the first two stay, the next two drift to cluster 0's mean, the last two to 3's
    const re = Float32Array.from([0, 2, 3, 4, 18, 30])
    const r = await styleFidelity(codes, re, labels, 1, { odd: (c) => c % 2 })
    expect(r.clusters).toBe(3)
    expect(r.encoded).toEqual({ own_cluster: 1, factors: { odd: 1 } })
    // own: 0, 0, 3, 3 right (4 of 6); odd: clusters 1 -> 0 is a miss, 1 and 3 share odd = 1
    expect(r.reencoded.own_cluster).toBe(0.667)
    expect(r.reencoded.factors).toEqual({ odd: 0.667 })
  })

  it('refuses re-encoded codes of another size', async () => {
    await expect(styleFidelity(codes, new Float32Array(3), labels, 1)).rejects.toThrow(
      /differ in size/,
    )
  })
})
