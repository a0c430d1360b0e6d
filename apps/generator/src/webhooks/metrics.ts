import { counter, histogram } from "@sorami/metrics";

/**
 * Webhook deliveries as the operator follows them: each attempt's outcome
 * (delivered; retry: failed, the next attempt scheduled; dead: the schedule
 * is spent; disabled: the receiver answered 410; superseded: not sent, a
 * later event carries the news) by event, and how long receivers took.
 */
export const deliveries = counter({
  name: "sorami_webhook_deliveries_total",
  help: "Webhook delivery attempts by event and outcome (delivered, retry, dead, disabled, superseded)",
  labelNames: ["event", "outcome"],
});

/** A receiver answers in milliseconds (the web app) up to the 15 s attempt timeout. */
const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15] as const;

export const deliveryDuration = histogram({
  name: "sorami_webhook_delivery_duration_seconds",
  help: "Time from sending a webhook to the receiver's answer (or the timeout), by outcome",
  labelNames: ["outcome"],
  buckets: DELIVERY_BUCKETS,
});
