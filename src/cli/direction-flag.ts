/** --direction of the commands that read a paired dataset (src/data/paired.ts). */
import { z } from 'zod'

/** --direction AtoB|BtoA: which side of each pair is the input (default AtoB). */
export const directionFlag = z.enum(['AtoB', 'BtoA']).default('AtoB')

/** The usage line of --direction. */
export const DIRECTION_USAGE = `  --direction D    AtoB (default: the left / A/ image is the input, the right / B/ one the
                   output) or BtoA (pix2pix sets such as facades and maps are photo -> label: B -> A)`
