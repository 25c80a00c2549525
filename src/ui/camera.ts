/** Camera frames for the editor's Live mode: open the camera, grab RGB frames, close it. */
import { errorMessage } from '../core/errors.js'
import type { RgbImage } from '../core/image/types.js'

/** An open camera: `frame()` grabs the newest frame at the given size; `close()` stops it. */
export interface Camera {
  frame(): RgbImage
  close(): void
}

/** Opens the camera, or throws an Error saying why there is none (no API, no device, denied). */
export async function openCamera(width = 128, height = 96): Promise<Camera> {
  let stream: MediaStream
  try {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser offers no camera API')
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 160, height: 120 } })
  } catch (err) {
    throw new Error(`Webcam: no camera or no permission (${errorMessage(err)})`, { cause: err })
  }
  const video = document.createElement('video')
  video.srcObject = stream
  video.muted = true
  await video.play()
  const grab = document.createElement('canvas')
  grab.width = width
  grab.height = height
  const g = grab.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D
  return {
    frame() {
      g.drawImage(video, 0, 0, width, height)
      const rgba = g.getImageData(0, 0, width, height).data
      const data = new Uint8Array(width * height * 3)
      for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
        data[j] = rgba[i] ?? 0
        data[j + 1] = rgba[i + 1] ?? 0
        data[j + 2] = rgba[i + 2] ?? 0
      }
      return { width, height, data }
    },
    close() {
      for (const t of stream.getTracks()) t.stop()
    },
  }
}
