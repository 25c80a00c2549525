/** The max_side widget of the nodes that bring images in (the rule: src/core/image/max-side.ts). */
import { DEFAULT_MAX_SIDE, MAX_SIDE_MAX, MAX_SIDE_MIN } from '../core/image/max-side.js'
import type { IntWidget } from './widgets.js'

/** max_side: images with a longer side are scaled down to it (aspect kept) before they are used. */
export const maxSideWidget: IntWidget = {
  kind: 'int',
  default: DEFAULT_MAX_SIDE,
  min: MAX_SIDE_MIN,
  max: MAX_SIDE_MAX,
  description:
    'images with a longer side are scaled down to it (aspect kept) before they are used; files over 8192 px a side or 40 megapixels are refused',
}
