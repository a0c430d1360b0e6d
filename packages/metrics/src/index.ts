export { type MetricsAccess, metricsAccess } from "./auth";
export { HTTP_DURATION_BUCKETS, recordHttpRequest, UNMATCHED_ROUTE } from "./http";
export {
  type Counter,
  counter,
  enableMetrics,
  type GaugeReading,
  gauge,
  type Histogram,
  histogram,
  type Labels,
  metricsEnabled,
  renderMetrics,
} from "./registry";
