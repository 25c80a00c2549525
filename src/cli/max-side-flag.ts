/** The --max-side flag of every command that reads images (the rule: src/core/image/max-side.ts). */
import { DEFAULT_MAX_SIDE, MAX_SIDE_MAX, MAX_SIDE_MIN } from '../core/image/max-side.js'
import { intFlag } from './args.js'

/** --max-side N: input images with a longer side are scaled down to N before they are used. */
export const maxSideFlag = intFlag(MAX_SIDE_MIN, MAX_SIDE_MAX).default(DEFAULT_MAX_SIDE)

/** The usage line shared by those commands. */
export const MAX_SIDE_USAGE = `  --max-side N   input images whose longer side exceeds N are scaled down to N first, keeping
                 their aspect ratio (default ${DEFAULT_MAX_SIDE}, ${MAX_SIDE_MIN}..${MAX_SIDE_MAX}); files over 8192 px a
                 side, 40 megapixels or 64 MiB are refused before they are decoded`
