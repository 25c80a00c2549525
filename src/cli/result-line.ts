/** The last line of a command: words for people, or with --json one JSON object for scripts. */
import { z } from 'zod'
import { say } from './command.js'

/** The --json flag (schema and parseArgs spec). */
export const jsonFlag = { schema: z.boolean().optional(), spec: { type: 'boolean' as const } }

/** Prints `data` as one JSON line when `json`, else `text`. */
export function result(json: boolean | undefined, text: string, data: Record<string, unknown>) {
  say(json ? JSON.stringify(data) : text)
}
