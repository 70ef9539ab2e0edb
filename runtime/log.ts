/**
 * The one logger: structured JSON (pino) with the asset, partition and run id
 * bound by whoever runs an asset. LOG_LEVEL sets the level (default info;
 * the CLI lowers it to warn on a terminal, where progress bars speak instead).
 */
import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  return pino(
    {
      base: { service: "fintra" },
      level,
      // Secrets never reach the log, whatever a caller binds.
      redact: {
        paths: [
          "apikey",
          "apiKey",
          "*.apikey",
          "*.apiKey",
          "headers.authorization",
          "*.token",
          "token",
        ],
        censor: "[redacted]",
      },
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that drops everything (tests, quiet runs). */
export const silentLogger: Logger = pino({ level: "silent" });
