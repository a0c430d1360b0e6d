import { prettyFactory } from "pino-pretty";

/**
 * Human-readable lines for a terminal: `12:04:05.123 INFO  generator accepted
 * job_id=…` on one line each. Used when stdout is interactive (a person runs
 * `npm start` or a service by hand); anything else gets the JSON lines as
 * they are. A line that is not JSON (another program's output) is kept as is.
 */
export function prettyFormatter(options: { colorize?: boolean } = {}): (line: string) => string {
  const format = prettyFactory({
    colorize: options.colorize ?? true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
    messageFormat: "{if service}{service} {end}{msg}",
    singleLine: true,
  });
  return (line) => {
    const out = format(line);
    return out.endsWith("\n") ? out : `${out}\n`;
  };
}
