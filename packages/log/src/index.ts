import { createLogger, type LoggerOptions, type SoramiLogger } from "./logger";

export { createLogger, LOG_LEVELS, type Logger, type LoggerOptions, type LogLevel, type SoramiLogger } from "./logger";
export { REDACT_PATHS, REDACTED, redactHeaders, SECRET_HEADERS } from "./redact";

/**
 * The process's logger, shared by every module of the process — also across
 * the several copies of a module Next.js may load (hence globalThis). Take it
 * with `logger()` where you log, not once at import: `initLogger` replaces it
 * when the service has read its configuration.
 */
type Holder = { logger?: SoramiLogger };
const slot = globalThis as { [key: symbol]: Holder | undefined };
const KEY = Symbol.for("sorami.log");
const holder: Holder = slot[KEY] ?? {};
slot[KEY] = holder;

/** The process's logger: the one `initLogger` made, or until then one at `info` for service "sorami". */
export function logger(): SoramiLogger {
  holder.logger ??= createLogger({ service: "sorami" });
  return holder.logger;
}

/**
 * Makes the process's logger from the service's configuration. Lines are
 * JSON, or pretty (pino-pretty, loaded only then) when stdout is a terminal.
 */
export async function initLogger(options: LoggerOptions & { pretty?: boolean }): Promise<SoramiLogger> {
  let write = options.write;
  if (!write && (options.pretty ?? process.stdout.isTTY === true)) {
    const { prettyFormatter } = await import("./pretty");
    const format = prettyFormatter();
    write = (line) => process.stdout.write(format(line));
  }
  holder.logger = createLogger({ ...options, write });
  return holder.logger;
}
