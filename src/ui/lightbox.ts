/**
 * The lightbox: a node's preview images shown large over the editor, one at a time, with
 * Download (PNG), previous / next (buttons, arrow keys) and Close (button, Escape, a click
 * outside the image). Small samples are enlarged by a whole factor, pixels kept sharp.
 */
import { html } from 'lit'
import { downloadCanvas } from './png-provenance.js'

/** What the lightbox shows. */
export interface LightboxState {
  /** The node's title, used in the caption and the download's name. */
  readonly title: string
  readonly images: readonly HTMLCanvasElement[]
  readonly index: number
}

/** What the lightbox's controls do. */
export interface LightboxActions {
  close(): void
  show(index: number): void
  /** Saves image `index` as a PNG (with the graph; png-provenance.ts). */
  download(index: number): void
}

/** The whole-number enlargement that fits `w` x `h` in about 1100 x 600 CSS pixels (1 to 8). */
export function lightboxZoom(w: number, h: number): number {
  return Math.max(1, Math.min(8, Math.floor(Math.min(1100 / w, 600 / h))))
}

/** A file name for image `index` of a node titled `title`: "preview-image-2.png". */
export function downloadName(title: string, index: number): string {
  const slug =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'image'
  return `${slug}-${index + 1}.png`
}

/** The lightbox for `s`. */
export function lightboxTemplate(s: LightboxState, on: LightboxActions) {
  const image = s.images[s.index]
  if (!image) return null
  const zoom = lightboxZoom(image.width, image.height)
  const url = image.toDataURL('image/png')
  const many = s.images.length > 1
  return html`<div
    class="lightbox"
    id="lightbox"
    @click=${(e: Event) => e.target === e.currentTarget && on.close()}
  >
    <img
      src=${url}
      alt=${`${s.title} ${s.index + 1}`}
      width=${image.width * zoom}
      height=${image.height * zoom}
    />
    <div class="lightbox-bar">
      <span
        >${s.title} · ${s.index + 1} / ${s.images.length} · ${image.width}×${image.height} px</span
      >
      ${
        many
          ? html`<button @click=${() => on.show((s.index + s.images.length - 1) % s.images.length)}>
                ◀
              </button>
              <button @click=${() => on.show((s.index + 1) % s.images.length)}>▶</button>`
          : null
      }
      <button id="lightbox-download" @click=${() => on.download(s.index)}>Download PNG</button>
      <button id="lightbox-close" @click=${() => on.close()}>Close</button>
    </div>
  </div>`
}

/**
 * Offers every image as a PNG download carrying `text` (the graph), named after the node
 * ("preview-samples-1.png", …).
 */
export function downloadImages(
  title: string,
  images: readonly HTMLCanvasElement[],
  text: Record<string, string>,
): void {
  images.forEach((image, i) => downloadCanvas(image, downloadName(title, i), text))
}
