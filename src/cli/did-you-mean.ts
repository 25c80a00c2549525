/** "Did you mean …?" for a mistyped command or flag: the closest known name by edit distance. */

/** Levenshtein distance of `a` and `b`. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost))
    }
    prev = row
  }
  return prev[b.length] ?? 0
}

/** The known name closest to `given` when it is close enough (at most a third of it differs). */
export function closest(given: string, known: readonly string[]): string | null {
  let best: string | null = null
  let bestD = Infinity
  for (const k of known) {
    const d = editDistance(given, k)
    if (d < bestD) [best, bestD] = [k, d]
  }
  return best !== null && bestD <= Math.max(1, Math.floor(given.length / 3)) ? best : null
}

/** ` (did you mean 'x'?)` or ''. */
export function didYouMean(given: string, known: readonly string[]): string {
  const hit = closest(given, known)
  return hit ? ` (did you mean '${hit}'?)` : ''
}
