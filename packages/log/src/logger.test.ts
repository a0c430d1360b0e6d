import { describe, expect, it } from "vitest";
import { createLogger, type LogLevel } from "./logger";
import { prettyFormatter } from "./pretty";
import { REDACTED } from "./redact";

function capture(level: LogLevel = "info", secrets: string[] = []) {
  const lines: string[] = [];
  const log = createLogger({ service: "test", level, secrets, write: (line) => lines.push(line) });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const SERVICE_KEY = "k3Y-0f-the-s3rv1ce_abcdefghijklmnopqrstuvwxyz0123";
const WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("the logger", () => {
  it("writes one JSON object per line with level, time, service, fields and message", () => {
    const { log, parsed } = capture();
    log.info({ job_id: "j1", attempt: 2 }, "accepted");
    const [line] = parsed();
    expect(line).toMatchObject({ level: "info", service: "test", pid: process.pid, job_id: "j1", attempt: 2 });
    expect(line?.msg).toBe("accepted");
    expect(Number.isNaN(Date.parse(String(line?.time)))).toBe(false);
  });

  it("honours its level", () => {
    const { log, parsed } = capture("warn");
    log.info("not written");
    log.debug("not written");
    log.warn("written");
    log.error("written too");
    expect(parsed().map((l) => l.level)).toEqual(["warn", "error"]);
    const silent = capture("silent");
    silent.log.fatal("nothing");
    expect(silent.lines).toEqual([]);
  });

  it("carries a child's bindings on every line it writes", () => {
    const { log, parsed } = capture();
    const task = log.child({ task: "generate", job_id: "j9", attempt: 1 });
    task.info("stage");
    task.child({ delivery_id: "msg_1" }).warn("retry");
    expect(parsed()).toEqual([
      expect.objectContaining({ task: "generate", job_id: "j9", attempt: 1, msg: "stage" }),
      expect.objectContaining({ task: "generate", job_id: "j9", delivery_id: "msg_1", msg: "retry" }),
    ]);
  });

  it("redacts credential fields by name, at the top level and in headers", () => {
    const { log, lines } = capture();
    log.info(
      {
        authorization: "Basic dXNlcjpwYXNz",
        apiKey: "sk-live-abcdefghijklmnop",
        password: "hunter2hunter2",
        req: { headers: { cookie: "sid=abc.def", "x-service-key": "not-a-known-key-0123" } },
        headers: new Headers({ "Webhook-Signature": "v1,abc", "X-Webhook-Secret": "plain-legacy-1234", accept: "*/*" }),
      },
      "request",
    );
    const text = lines.join("\n");
    for (const secret of [
      "dXNlcjpwYXNz",
      "sk-live-abcdefghijklmnop",
      "hunter2hunter2",
      "abc.def",
      "not-a-known-key-0123",
      "plain-legacy-1234",
      "v1,abc",
    ]) {
      expect(text).not.toContain(secret);
    }
    const [line] = lines.map((l) => JSON.parse(l));
    expect(line.authorization).toBe(REDACTED);
    expect(line.apiKey).toBe(REDACTED);
    expect(line.req.headers["x-service-key"]).toBe(REDACTED);
    expect(line.headers).toEqual({ "webhook-signature": REDACTED, "x-webhook-secret": REDACTED, accept: "*/*" });
  });

  it("catches a known secret however deep it is nested", () => {
    const { log, lines } = capture("info", [SERVICE_KEY]);
    log.info({ config: { provider: { credentials: { key: SERVICE_KEY } } } }, "nested");
    expect(lines.join("\n")).not.toContain(SERVICE_KEY);
  });

  it("scrubs the process's secret values and credential-looking strings from messages and errors", () => {
    const { log, lines } = capture("info", [SERVICE_KEY]);
    log.redactValues([WEBHOOK_SECRET.replace("whsec_", ""), 'quo"ted\\secret-value-1234']);
    log.error({ err: new Error(`connect failed with key ${SERVICE_KEY}`) }, "call failed");
    log.warn(`sent Authorization: Bearer abc.def-ghi and ${WEBHOOK_SECRET}`);
    log.info({ detail: 'has quo"ted\\secret-value-1234 inside' }, "escaped");
    log.info("signature v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= went out");
    log.child({ task: "t" }).info(`child line with ${SERVICE_KEY}`);
    log.info("cookie: better-auth.session_token=tok3n.s1gnature; other=1");
    const text = lines.join("\n");
    expect(text).not.toContain(SERVICE_KEY);
    expect(text).not.toContain("abc.def-ghi");
    expect(text).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(text).not.toContain("secret-value-1234");
    expect(text).not.toContain("K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN");
    expect(text).not.toContain("tok3n.s1gnature");
    expect(text).toContain("other=1");
    expect(lines).toHaveLength(6);
    const [error] = lines.map((l) => JSON.parse(l));
    expect(error.err.message).toBe(`connect failed with key ${REDACTED}`);
    expect(error.err.type).toBe("Error");
    expect(error.err.stack).toContain("logger.test.ts");
  });

  it("does not scrub short values, which would mangle ordinary text", () => {
    const { log, lines } = capture("info", ["abc"]);
    log.info("abc is fine");
    expect(JSON.parse(lines[0] ?? "{}").msg).toBe("abc is fine");
  });
});

describe("the pretty formatter", () => {
  it("turns a JSON line into one readable line and leaves other text alone", () => {
    const format = prettyFormatter({ colorize: false });
    const out = format(
      JSON.stringify({
        level: "warn",
        time: "2026-12-05T10:04:05.123Z",
        service: "generator",
        pid: 1,
        job_id: "j1",
        msg: "run failed",
      }),
    );
    expect(out.split("\n").filter(Boolean)).toHaveLength(1);
    expect(out).toMatch(/WARN.*generator run failed.*job_id.*j1/);
    expect(out).not.toContain('"pid"');
    expect(format("▲ Next.js 16.4.6")).toBe("▲ Next.js 16.4.6\n");
  });
});
