/** The safetensors codec: a round trip, other dtypes read as float32, and damaged files named. */
import { describe, expect, it } from 'vitest'
import { decodeSafetensors, encodeSafetensors } from './safetensors.js'

/** A file built by hand: header JSON, then `data` bytes. */
function handMade(header: object, data: number[]): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header))
  const out = new Uint8Array(8 + head.length + data.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true)
  out.set(head, 8)
  out.set(data, 8 + head.length)
  return out
}

describe('safetensors', () => {
  it('round-trips float32 tensors and metadata, header aligned to 8 bytes', () => {
    const tensors = new Map([
      ['a.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-30, -7]) }],
      ['b', { shape: [0], data: new Float32Array(0) }],
      ['c', { shape: [], data: Float32Array.from([42]) }],
    ])
    const bytes = encodeSafetensors(tensors, { config: '{"x":1}' })
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true))
    expect(n % 8).toBe(0)
    expect(bytes.length).toBe(8 + n + 4 * 7)
    const back = decodeSafetensors(bytes, 'x.safetensors')
    expect(back.metadata).toEqual({ config: '{"x":1}' })
    expect([...back.tensors.keys()]).toEqual(['a.weight', 'b', 'c'])
    expect(Array.from(back.tensors.get('a.weight')?.data ?? [])).toEqual(
      [1, -2, 3.5, 0, 1e-30, -7].map(Math.fround),
    )
    expect(back.tensors.get('c')?.shape).toEqual([])
  })

  it('reads F16, BF16 and F64 as float32', () => {
    // F16 0x3c00 = 1, 0xc000 = -2; BF16 0x3fc0 = 1.5; F64 0.25
    const bytes = handMade(
      {
        h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
        b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] },
        d: { dtype: 'F64', shape: [1], data_offsets: [6, 14] },
      },
      [0x00, 0x3c, 0x00, 0xc0, 0xc0, 0x3f, 0, 0, 0, 0, 0, 0, 0xd0, 0x3f],
    )
    const t = decodeSafetensors(bytes, 'x').tensors
    expect(Array.from(t.get('h')?.data ?? [])).toEqual([1, -2])
    expect(Array.from(t.get('b')?.data ?? [])).toEqual([1.5])
    expect(Array.from(t.get('d')?.data ?? [])).toEqual([0.25])
  })

  it('names what is wrong in a damaged file', () => {
    expect(() => decodeSafetensors(new Uint8Array(4), 'w.safetensors')).toThrow(
      /w\.safetensors: not a safetensors file \(4 bytes\)/,
    )
    const tooLong = handMade({}, [])
    new DataView(tooLong.buffer).setBigUint64(0, 999n, true)
    expect(() => decodeSafetensors(tooLong, 'w')).toThrow(/header length 999 does not fit/)
    const short = handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, [0, 0, 0, 0])
    expect(() => decodeSafetensors(short, 'w')).toThrow(
      /tensor 'a': bytes \[0, 8\) do not hold shape \[2\] of F32 within the 4 data bytes/,
    )
    const int = handMade({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, [])
    expect(() => decodeSafetensors(int, 'w')).toThrow(/tensor 'a': dtype "I64" \(valid: F32/)
  })
})
