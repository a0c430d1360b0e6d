import pino, { type DestinationStream, type Logger } from "pino";
import { errorSerializer, REDACT_PATHS, REDACTED, redactHeaders, Scrubber } from "./redact";

export type { Logger } from "pino";

/** LOG_LEVEL's values, most to least severe; `silent` logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LoggerOptions = {
  /** The `service` field of every line: web, generator, launcher. */
  service: string;
  level?: LogLevel;
  /** Secret values this process knows (keys, tokens, webhook secrets): never written, wherever they appear. */
  secrets?: Iterable<string | null | undefined>;
  /** Where lines go, one JSON text per call (tests, the launcher's pretty printer); default stdout. */
  write?: (line: string) => void;
};

export type SoramiLogger = Logger & {
  /** Adds secret values to scrub from every line of this logger and its children (an env read later). */
  redactValues(values: Iterable<string | null | undefined>): void;
};

/**
 * stdout, written asynchronously: a service never blocks on a slow reader of
 * its output (the launcher's pipe, a log shipper), and lines queued while a
 * write is in flight go out together. pino flushes what is queued when the
 * process exits.
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

/**
 * One structured JSON logger, the same in every process: one line per event,
 * `level` as a word, an ISO `time`, the `service` and `pid`, then the
 * event's fields and `msg`. Credentials are removed by configuration, not by
 * care at each call: fields named like credentials are redacted (REDACT_PATHS),
 * `headers`, `err` and `error` go through serializers, and every line is
 * scrubbed of the process's secret values and of credential-looking strings
 * before it is written.
 */
export function createLogger(options: LoggerOptions): SoramiLogger {
  const scrubber = new Scrubber();
  scrubber.add(options.secrets ?? []);
  const destination: DestinationStream = options.write
    ? { write: (line: string) => options.write?.(line.endsWith("\n") ? line.slice(0, -1) : line) }
    : stdoutDestination();
  const logger = pino(
    {
      level: options.level ?? "info",
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: errorSerializer, error: errorSerializer, headers: redactHeaders },
      hooks: { streamWrite: (line) => scrubber.scrub(line) },
    },
    destination,
  ) as SoramiLogger;
  logger.redactValues = (values) => scrubber.add(values);
  return logger;
}
