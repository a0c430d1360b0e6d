import { getMetricsFromIterator, type PromHistogramData, type PromMetrics } from "prom2javascript";

/**
 * Reading a /metrics answer in tests the way Prometheus does: the text is
 * parsed by a real exposition-format parser (prom2javascript, which refuses
 * malformed lines), then series are looked up by name and labels.
 *
 * One gap of that parser: it does not read NaN, which the format allows and
 * Prometheus reads. prom-client writes NaN for the event-loop lag mean and
 * deviation when no sample (one per 20 ms) fell since the previous scrape,
 * so two scrapes of one process in a test must be some time apart.
 */
export type Scrape = PromMetrics;

export function parseExposition(text: string): Promise<Scrape> {
  return getMetricsFromIterator(text.split("\n")[Symbol.iterator]());
}

const matches = (labels: Record<string, string>, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => labels[k] === v);

/** The sum of a counter's or gauge's series whose labels include `labels` (0 when none). */
export function sumOf(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  const metric = scrape[name];
  if (!metric) {
    return 0;
  }
  return (metric.data as { labels: Record<string, string>; value?: number }[])
    .filter((d) => matches(d.labels, labels))
    .reduce((sum, d) => sum + (d.value ?? 0), 0);
}

/** The number of observations of a histogram's series whose labels include `labels`. */
export function countOf(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  const metric = scrape[name];
  if (metric?.type !== "histogram") {
    return 0;
  }
  return (metric.data as PromHistogramData[]).filter((d) => matches(d.labels, labels)).reduce((n, d) => n + d.count, 0);
}

/** Every label set a metric has series for. */
export function seriesOf(scrape: Scrape, name: string): Record<string, string>[] {
  return ((scrape[name]?.data ?? []) as { labels: Record<string, string> }[]).map((d) => d.labels);
}
