import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { countOf, parseExposition, type Scrape, seriesOf, sumOf } from "@sorami/metrics/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserCookie } from "../security/fixtures";
import { api, secretsOf, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";

/**
 * Operating Sorami from its outputs alone: one job run through the whole
 * stack, then followed in both services' metrics (scraped and parsed as
 * Prometheus does) and in their logs (every line the launcher captured),
 * and no secret anywhere in those logs.
 */
let stack: Stack;
let alice: TestUser;
/** An API key the generator is given (unused by the local provider, but a secret it knows all the same). */
const FAKE_API_KEY = `AIzaFake-${randomUUID()}`;
const REQUEST_ID = `e2e-${randomUUID()}`;
let jobId: string;
let before: { web: Scrape; generator: Scrape };
let after: { web: Scrape; generator: Scrape };

async function scrape(base: string): Promise<Scrape> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${stack.metricsToken}` } });
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}
const scrapeBoth = async () => ({ web: await scrape(stack.webUrl), generator: await scrape(stack.generatorUrl) });

/** Every line the stack printed, each parsed: they must all be JSON. */
function logLines(): Record<string, unknown>[] {
  return stack
    .allLogs()
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`a log line that is not JSON: ${line}`);
      }
    });
}

beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0", GEMINI_API_KEY: FAKE_API_KEY } });
  alice = await signUp(stack.webUrl, "Alice");
  before = await scrapeBoth();
  const call = api(stack.webUrl, alice.token);
  const submit = await call(
    "POST",
    "/api/images/generate",
    { prompt: "a lantern in the fog", num_images: 1, size: "256x256" },
    { "x-request-id": REQUEST_ID },
  );
  expect(submit.status).toBe(202);
  expect(submit.headers.get("x-request-id")).toBe(REQUEST_ID);
  jobId = submit.data.job_id;
  await waitFor(async () => {
    const r = await call("GET", `/api/images/${jobId}/status`);
    return r.data.status === "COMPLETED";
  }, "the job to complete");
  // Every delivery of the job settled, and the web app's line for the last one written.
  await waitFor(async () => {
    const [row] = await sql<{ n: string }>(
      stack.databaseUrl,
      "select count(*) as n from generator.webhook_deliveries where job_id = $1 and state = 'pending'",
      [jobId],
    );
    return Number(row?.n) === 0;
  }, "the job's deliveries to settle");
  await waitFor(
    async () =>
      logLines().some(
        (l) => l.service === "web" && l.job_id === jobId && l.msg === "webhook received" && l.webhook === "completed",
      ),
    "the web app's log line for the completed webhook",
  );
  after = await scrapeBoth();
});
afterAll(async () => stack?.stop());

/** How much a counter (or a histogram's count) moved between the two scrapes. */
function moved(service: "web" | "generator", name: string, labels: Record<string, string>): number {
  const histogram = after[service][name]?.type === "histogram";
  const read = histogram ? countOf : sumOf;
  return read(after[service], name, labels) - read(before[service], name, labels);
}

describe("metrics", () => {
  it("count the job on the web app: submitted, finished, its duration, its HTTP requests and queue tasks", () => {
    const job = { kind: "image", provider: "local" };
    expect(moved("web", "sorami_jobs_submitted_total", job)).toBe(1);
    expect(moved("web", "sorami_jobs_finished_total", { ...job, status: "completed" })).toBe(1);
    expect(moved("web", "sorami_job_duration_seconds", { ...job, status: "completed" })).toBe(1);
    expect(
      moved("web", "sorami_http_requests_total", { method: "POST", route: "/api/images/generate", status: "202" }),
    ).toBe(1);
    expect(
      moved("web", "sorami_http_requests_total", { route: "/api/webhooks/image-completion", status: "200" }),
    ).toBeGreaterThanOrEqual(1);
    expect(moved("web", "sorami_http_requests_total", { route: "/api/images/[id]/status" })).toBeGreaterThanOrEqual(1);
    expect(moved("web", "sorami_queue_tasks_total", { task: "dispatch-generation", outcome: "ok" })).toBe(1);
    expect(moved("web", "sorami_queue_wait_seconds", { task: "dispatch-generation" })).toBe(1);
    // The reconciler's next run waits in the queue: the depth gauge reads the jobs table at scrape.
    expect(sumOf(after.web, "sorami_queue_jobs", { task: "reconcile-generations", state: "scheduled" })).toBe(1);
    for (const labels of seriesOf(after.web, "sorami_http_requests_total")) {
      expect(labels.route, "a raw path as a label").not.toContain(jobId);
      expect(labels.service).toBe("web");
    }
  });

  it("count the job on the generator: stages, provider call, run, deliveries, HTTP and queue", () => {
    const job = { kind: "image", provider: "local" };
    for (const stage of ["initializing", "generating", "saving"]) {
      expect(moved("generator", "sorami_job_stage_duration_seconds", { ...job, stage }), stage).toBe(1);
    }
    expect(moved("generator", "sorami_provider_call_duration_seconds", { ...job, outcome: "ok" })).toBe(1);
    expect(moved("generator", "sorami_job_runs_total", { ...job, outcome: "completed" })).toBe(1);
    expect(moved("generator", "sorami_webhook_deliveries_total", { event: "completed", outcome: "delivered" })).toBe(1);
    expect(
      moved("generator", "sorami_webhook_delivery_duration_seconds", { outcome: "delivered" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      moved("generator", "sorami_http_requests_total", {
        method: "POST",
        route: "/api/images/generate",
        status: "202",
      }),
    ).toBe(1);
    expect(moved("generator", "sorami_queue_tasks_total", { task: "generate", outcome: "ok" })).toBe(1);
    expect(
      moved("generator", "sorami_queue_task_duration_seconds", { task: "deliver-webhook" }),
    ).toBeGreaterThanOrEqual(1);
    expect(after.generator.sorami_queue_jobs).toBeDefined();
    expect(after.generator.process_resident_memory_bytes).toBeDefined();
  });

  it("are refused without the token, or with a wrong one, on both services", async () => {
    for (const base of [stack.webUrl, stack.generatorUrl]) {
      for (const headers of [{}, { authorization: `Bearer ${stack.metricsToken}x` }] as Record<string, string>[]) {
        const res = await fetch(`${base}/metrics`, { headers });
        expect(res.status).toBe(401);
        expect((await res.json()).error.code).toBe("unauthorized");
      }
    }
  });
});

describe("logs", () => {
  it("are JSON lines, each with its level, time, service and message", () => {
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      expect(line, JSON.stringify(line)).toMatchObject({
        level: expect.any(String),
        time: expect.any(String),
        service: expect.any(String),
        msg: expect.any(String),
      });
    }
  });

  it("follow the job by its id through both services, linked by request ids", () => {
    const lines = logLines();
    const web = lines.filter((l) => l.service === "web" && l.job_id === jobId);
    const generator = lines.filter((l) => l.service === "generator" && l.job_id === jobId);

    // submit → dispatch → the generator accepts it, all under the submit's request id
    expect(web).toContainEqual(expect.objectContaining({ msg: "job submitted", request_id: REQUEST_ID }));
    expect(lines).toContainEqual(
      expect.objectContaining({ service: "web", route: "/api/images/generate", status: 202, request_id: REQUEST_ID }),
    );
    expect(web).toContainEqual(
      expect.objectContaining({
        task: "dispatch-generation",
        request_id: REQUEST_ID,
        msg: "job dispatched to the generator",
      }),
    );
    expect(web).toContainEqual(
      expect.objectContaining({
        task: "dispatch-generation",
        msg: "generator call",
        status: 202,
        request_id: REQUEST_ID,
      }),
    );
    expect(generator).toContainEqual(expect.objectContaining({ msg: "job accepted", request_id: REQUEST_ID }));
    expect(lines).toContainEqual(
      expect.objectContaining({
        service: "generator",
        route: "/api/images/generate",
        status: 202,
        request_id: REQUEST_ID,
      }),
    );

    // the run's stages, in order, each line with its task, attempt and queue job
    const stages = generator.filter((l) => l.event === "stage");
    expect(stages.map((l) => l.status)).toEqual(["initializing", "generating", "saving", "completed"]);
    for (const line of stages) {
      expect(line).toMatchObject({ task: "generate", attempt: 1, queue_job_id: expect.any(String) });
    }

    // deliveries, and the web app applying them: the delivery id is the receiver's request id
    const delivered = generator.filter((l) => l.task === "deliver-webhook" && l.outcome === "delivered");
    const completed = delivered.find((l) => l.webhook === "completed");
    expect(completed).toMatchObject({ delivery_id: expect.stringMatching(/^msg_/), attempt: expect.any(Number) });
    const applied = web.filter((l) => l.msg === "webhook received");
    expect(applied).toContainEqual(
      expect.objectContaining({
        webhook: "completed",
        outcome: "applied",
        status: "COMPLETED",
        request_id: completed?.delivery_id,
      }),
    );
    for (const line of applied) {
      expect(delivered.map((d) => d.delivery_id)).toContain(line.request_id);
    }
  });

  it("never contain a secret, a key, a token or a cookie, even one sent to be logged", async () => {
    const secrets = secretsOf(stack.dataDir);
    const cookie = await browserCookie(stack.webUrl, alice.email);
    const known = [
      secrets.serviceKey,
      secrets.webhookSecret,
      secrets.authSecret,
      secrets.databasePassword,
      stack.metricsToken,
      FAKE_API_KEY,
    ];
    // Each server secret is a sane request id: if anything wrote it, the logs would show it.
    for (const secret of known) {
      for (const url of [`${stack.webUrl}/api/health`, `${stack.generatorUrl}/health`]) {
        const res = await fetch(url, { headers: { "x-request-id": secret, cookie } });
        await res.arrayBuffer();
      }
    }
    await api(stack.webUrl)("GET", "/api/notifications", undefined, { cookie });
    await waitFor(
      async () =>
        logLines().filter((l) => l.route === "/health" || l.route === "/api/health").length >= 2 * known.length,
      "the provoked lines to be written",
    );
    const everything = stack.allLogs();
    for (const value of [...known, alice.token, cookie.split("=")[1] ?? cookie]) {
      expect(everything.includes(value), "a secret in the logs").toBe(false);
    }
    expect(everything).toContain("[Redacted]");
  });
});

const DASHBOARD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../ops/grafana/sorami.json");

describe("the Grafana dashboard (ops/grafana/sorami.json)", () => {
  type Panel = {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource?: { type: string; uid: string };
    targets?: { refId: string; expr: string }[];
  };
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
    title: string;
    uid: string;
    schemaVersion: number;
    templating: { list: { name: string; type: string; query: string }[] };
    panels: Panel[];
  };
  const graphs = dashboard.panels.filter((p) => p.type !== "row");
  const exprs = graphs.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it("is a dashboard Grafana imports: ids, layout, a Prometheus data source chosen at import", () => {
    expect(dashboard).toMatchObject({ title: "Sorami", uid: expect.any(String), schemaVersion: expect.any(Number) });
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }),
    );
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of graphs) {
      // Grafana fills the data source variable in at import.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable, not a template literal
      expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: "${datasource}" });
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
    expect(graphs.length).toBeGreaterThanOrEqual(10);
  });

  it("queries only metrics, and labels, that a real scrape of the two services has", () => {
    const scrapes = [after.web, after.generator];
    const metricPattern = /\b((?:sorami|process|nodejs)_[a-z0-9_]+)(\{[^}]*\})?/g;
    const found = new Set<string>();
    for (const expr of exprs) {
      const grouped = [...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) =>
        (m[1] ?? "").split(",").map((l) => l.trim()),
      );
      for (const m of expr.matchAll(metricPattern)) {
        const written = m[1] ?? "";
        const base = written.replace(/_(bucket|sum|count)$/, "");
        const name = scrapes.some((s) => s[written]) ? written : base;
        found.add(name);
        const holders = scrapes.filter((s) => s[name]);
        expect(holders.length, `${name} (in ${expr}) is in no scrape`).toBeGreaterThan(0);
        const matched = [...(m[2] ?? "").matchAll(/([a-z_]+)\s*(=~|!=|=)/g)].map((l) => l[1] ?? "");
        const series = holders.flatMap((s) => seriesOf(s, name));
        if (series.length === 0) {
          continue; // no series yet (e.g. no provider error happened): the name alone is checked
        }
        for (const label of [...matched, ...grouped].filter((l) => l && l !== "le")) {
          expect(
            series.some((labels) => label in labels),
            `${name} has no label ${label} (in ${expr})`,
          ).toBe(true);
        }
      }
    }
    for (const wanted of [
      "sorami_jobs_finished_total",
      "sorami_job_duration_seconds",
      "sorami_queue_jobs",
      "sorami_webhook_deliveries_total",
      "sorami_http_requests_total",
      "process_resident_memory_bytes",
      "process_cpu_seconds_total",
    ]) {
      expect(found, wanted).toContain(wanted);
    }
  });
});
