import autocannon from "autocannon";
import { cpuBetween, cpuSnapshot, type ProcessRole } from "./procs";
import { round, summarize } from "./stats";

export type LoadRequest = {
  method?: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

export type LoadOptions = {
  url: string;
  connections: number;
  /** Fixed number of requests; or `durationS`. */
  amount?: number;
  durationS?: number;
  /** One request, or a function making each request (a distinct job, a fresh signature…). */
  request: LoadRequest | (() => LoadRequest);
  /** Read `Server-Timing: app;dur=…` from each answer. */
  serverTiming?: boolean;
  /** Whose descendants' CPU time is counted (default: this process's, i.e. the stack it started). */
  cpuRoot?: number;
};

export type LoadResult = {
  requests: number;
  rps: number;
  /** Client-side latency (autocannon, whole milliseconds). */
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Time inside the handler, from Server-Timing, when asked for. */
  server?: { p50: number; p99: number; n: number };
  /**
   * CPU ms per request spent by each kind of process the bench started
   * (web, generator, postgres, floor): steadier than latency on a shared
   * machine, since other processes slow a request down without adding to it.
   */
  cpuMsPerRequest: Partial<Record<ProcessRole, number>>;
};

const SERVER_TIMING = /app;dur=([\d.]+)/;

/** Runs autocannon against one endpoint and returns the figures the bench reports. */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  const serverTimes: number[] = [];
  const make = typeof opts.request === "function" ? opts.request : () => opts.request as LoadRequest;
  const first = make();
  const cpuBefore = cpuSnapshot(opts.cpuRoot ?? process.pid);
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.durationS ?? 5 }),
    timeout: 30,
    requests: [
      {
        method: first.method ?? "GET",
        path: first.path,
        headers: first.headers,
        body: first.body,
        ...(typeof opts.request === "function"
          ? {
              setupRequest: (req: Record<string, unknown>) => {
                const next = make();
                return {
                  ...req,
                  method: next.method ?? "GET",
                  path: next.path,
                  headers: next.headers,
                  body: next.body,
                };
              },
            }
          : {}),
        ...(opts.serverTiming
          ? {
              onResponse: (_status: number, _body: string, _ctx: unknown, headers: Record<string, string>) => {
                const match = SERVER_TIMING.exec(headers["server-timing"] ?? "");
                if (match?.[1]) {
                  serverTimes.push(Number(match[1]));
                }
              },
            }
          : {}),
      },
    ],
  });
  const used = cpuBetween(cpuBefore, cpuSnapshot(opts.cpuRoot ?? process.pid));
  const total = result.requests.total;
  const cpuMsPerRequest: Partial<Record<ProcessRole, number>> = {};
  for (const [role, ms] of Object.entries(used) as [ProcessRole, number][]) {
    if (role === "other" || role === "launcher") {
      continue;
    }
    cpuMsPerRequest[role] = round(ms / Math.max(1, total), 3);
  }
  const seconds = result.duration;
  const server = opts.serverTiming ? summarize(serverTimes) : undefined;
  return {
    requests: total,
    rps: round(total / seconds, 0),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpuMsPerRequest,
    ...(server ? { server: { p50: server.p50, p99: server.p99, n: server.n } } : {}),
  };
}
