/** Structured JSON logs (pino) on stderr, so stdout stays free for command output. */
import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: { service: "pathwise" } }, pino.destination(2));
}
