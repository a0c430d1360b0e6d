import { logger } from "@sorami/log";
import type * as PromClient from "prom-client";

/**
 * Prometheus metrics, declared where they are measured and made real only
 * when the service turns metrics on (METRICS_TOKEN set): until then, and in
 * a service without a token, a handle is a no-op and prom-client is never
 * loaded, so metrics cost nothing where nobody can read them.
 *
 * State lives on globalThis: Next.js may load a module several times in one
 * process (once per route bundle), and every copy must count into the one
 * registry the /metrics route reads.
 */

/** A metric's label values, every label named (unbounded values, like ids or user text, never go here). */
export type Labels<L extends string> = { readonly [K in L]: string };

export type Counter<L extends string> = { inc(labels: Labels<L>, value?: number): void };
export type Histogram<L extends string> = { observe(labels: Labels<L>, value: number): void };
/** A gauge's values, read when Prometheus scrapes (queue depth): what `collect` returns replaces the last. */
export type GaugeReading<L extends string> = { labels: Labels<L>; value: number };

type Definition = {
  kind: "counter" | "histogram" | "gauge";
  name: string;
  help: string;
  labelNames: readonly string[];
  buckets?: readonly number[];
  collect?: () => Promise<readonly GaugeReading<string>[]>;
  bind(metric: PromClient.Metric): void;
};

type State = {
  client?: typeof PromClient;
  registry?: PromClient.Registry;
  definitions: Definition[];
  metrics: Map<string, PromClient.Metric>;
};

const slot = globalThis as { [key: symbol]: State | undefined };
const KEY = Symbol.for("sorami.metrics");
const state: State = slot[KEY] ?? { definitions: [], metrics: new Map() };
slot[KEY] = state;

/**
 * How often prom-client samples event-loop delay (nodejs_eventloop_lag_*).
 * Its default, 10 ms, wakes an idle process 100 times a second; 20 ms still
 * resolves the lags worth seeing (a blocked loop shows as tens of ms).
 */
const EVENT_LOOP_SAMPLE_MS = 20;

function build(definition: Definition): PromClient.Metric {
  const { client, registry } = state;
  if (!client || !registry) {
    throw new Error("metrics are not enabled");
  }
  const common = {
    name: definition.name,
    help: definition.help,
    labelNames: [...definition.labelNames],
    registers: [registry],
  };
  if (definition.kind === "counter") {
    return new client.Counter(common);
  }
  if (definition.kind === "histogram") {
    return new client.Histogram({ ...common, buckets: [...(definition.buckets ?? [])] });
  }
  const read = definition.collect;
  return new client.Gauge({
    ...common,
    async collect() {
      let readings: readonly GaugeReading<string>[] = [];
      try {
        readings = (await read?.()) ?? [];
      } catch (error) {
        // One gauge that cannot be read (the database is away) must not fail the whole scrape.
        logger().warn({ err: error, metric: definition.name }, "metric not readable");
      }
      this.reset();
      for (const r of readings) {
        this.set(r.labels, r.value);
      }
    },
  });
}

/** Makes a definition real if metrics are on: the metric of that name, shared by every copy of the module. */
function materialize(definition: Definition): void {
  if (!state.registry) {
    return;
  }
  let metric = state.metrics.get(definition.name);
  if (!metric) {
    metric = build(definition);
    state.metrics.set(definition.name, metric);
  }
  definition.bind(metric);
}

function define(definition: Definition): void {
  state.definitions.push(definition);
  materialize(definition);
}

export function counter<L extends string>(d: { name: string; help: string; labelNames: readonly L[] }): Counter<L> {
  let real: PromClient.Counter<L> | undefined;
  define({ ...d, kind: "counter", bind: (m) => (real = m as PromClient.Counter<L>) });
  return { inc: (labels, value = 1) => real?.inc(labels, value) };
}

export function histogram<L extends string>(d: {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** Upper bounds in the metric's unit (seconds): chosen for what is measured, with a comment. */
  buckets: readonly number[];
}): Histogram<L> {
  let real: PromClient.Histogram<L> | undefined;
  define({ ...d, kind: "histogram", bind: (m) => (real = m as PromClient.Histogram<L>) });
  return { observe: (labels, value) => real?.observe(labels, value) };
}

export function gauge<L extends string>(d: {
  name: string;
  help: string;
  labelNames: readonly L[];
  collect: () => Promise<readonly GaugeReading<L>[]>;
}): void {
  define({ ...d, kind: "gauge", bind: () => {} } as Definition);
}

/**
 * Turns metrics on for this process: loads prom-client, makes the registry
 * (every series labelled with the service), starts the default process
 * metrics and makes every metric declared so far real. Idempotent.
 */
export async function enableMetrics(options: { service: string }): Promise<void> {
  if (state.registry) {
    return;
  }
  const client = await import("prom-client");
  const registry = new client.Registry();
  registry.setDefaultLabels({ service: options.service });
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  state.client = client;
  state.registry = registry;
  for (const definition of state.definitions) {
    materialize(definition);
  }
}

export function metricsEnabled(): boolean {
  return state.registry !== undefined;
}

/** The Prometheus text exposition of every metric of this process. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  if (!state.registry) {
    throw new Error("metrics are not enabled");
  }
  return { contentType: state.registry.contentType, body: await state.registry.metrics() };
}
