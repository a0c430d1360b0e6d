import { createLogger, type Logger, type LogLevel, type SoramiLogger } from "@sorami/log";

/**
 * What the launcher prints: its own lines and every line its services print,
 * as one stream of JSON lines (one object per line, whoever wrote it), which
 * `npm start` shows as they are, or pretty in a terminal.
 *
 * Services log JSON (their stdout is a pipe, never a terminal), which passes
 * through untouched. Anything else a service prints (Next.js's own start-up
 * lines, a crash's stack trace from Node) is wrapped into a JSON line of that
 * service, at info from stdout and warn from stderr, so nothing a log
 * pipeline reads is not JSON.
 */
export type LauncherOutput = {
  /** The launcher's own logger (service "launcher"). */
  log: Logger;
  /** One line a service instance ("web", "generator#2") printed on one of its streams. */
  service(id: string, stream: "stdout" | "stderr", line: string): void;
  /** Secret values to scrub from the lines the launcher writes (known once DATA_DIR's secrets are read). */
  redactValues(values: Iterable<string | null | undefined>): void;
};

/** A line a service logged itself: a JSON object, as its logger writes them. */
function isJsonLine(line: string): boolean {
  if (!line.startsWith("{") || !line.endsWith("}")) {
    return false;
  }
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

export function launcherOutput(
  options: { write?: (line: string) => void; level?: LogLevel; secrets?: string[] } = {},
): LauncherOutput {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const secrets: string[] = [...(options.secrets ?? [])];
  const roots: SoramiLogger[] = [];
  const make = (service: string) => {
    const logger = createLogger({ service, level: options.level, secrets, write });
    roots.push(logger);
    return logger;
  };
  const log = make("launcher");
  const raw = new Map<string, Logger>();
  return {
    log,
    service(id, stream, line) {
      if (isJsonLine(line)) {
        write(line);
        return;
      }
      let logger = raw.get(id);
      if (!logger) {
        // Bound with the instance ("web#2") beside its service name, as the service itself does not know it.
        const name = id.split("#")[0] ?? id;
        logger = id === name ? make(name) : make(name).child({ instance: id });
        raw.set(id, logger);
      }
      logger[stream === "stderr" ? "warn" : "info"]({ stream }, line);
    },
    redactValues(values) {
      const added = [...values].filter((v): v is string => Boolean(v));
      secrets.push(...added);
      for (const logger of roots) {
        logger.redactValues(added);
      }
    },
  };
}
