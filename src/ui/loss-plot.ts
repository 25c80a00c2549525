/** The loss curve a training node draws under itself, and the figure it plots. */

/** The figure a loss curve plots: `loss`, else `g` (stages 2 and 3), else the first one. */
export function lossFigure(figures: Readonly<Record<string, number>> | undefined): number | null {
  if (!figures) return null
  const v =
    figures.loss ??
    figures.g ??
    Object.entries(figures).find(([k]) => k !== 'imagesPerSecond')?.[1] ??
    null
  return v !== null && Number.isFinite(v) ? v : null
}

/** A loss curve in the box (x, y, w, h): line, last and minimum value. */
export function drawLossPlot(
  ctx: CanvasRenderingContext2D,
  points: readonly (readonly [number, number])[],
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  const xs = points.map((p) => p[0])
  const ys = points.map((p) => p[1])
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)]
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)]
  ctx.fillStyle = 'rgba(0, 0, 0, 0.5)'
  ctx.fillRect(x, y, w, h)
  ctx.strokeStyle = '#4c8'
  ctx.lineWidth = 1.5
  ctx.beginPath()
  points.forEach(([px, py], i) => {
    const sx = x + ((px - x0) / Math.max(1e-9, x1 - x0)) * w
    const sy = y + h - ((py - y0) / Math.max(1e-9, y1 - y0)) * (h - 14) - 2
    if (i === 0) ctx.moveTo(sx, sy)
    else ctx.lineTo(sx, sy)
  })
  ctx.stroke()
  ctx.fillStyle = '#ccc'
  ctx.font = '10px sans-serif'
  ctx.fillText(`loss ${ys.at(-1)?.toPrecision(4) ?? ''} (min ${y0.toPrecision(4)})`, x + 3, y + 11)
}
