import { describe, expect, it } from "vitest";
import { launcherOutput } from "./output";

describe("the launcher's output", () => {
  it("passes the services' JSON lines through and wraps anything else in a JSON line of that service", () => {
    const lines: string[] = [];
    const out = launcherOutput({ write: (line) => lines.push(line) });
    const own = JSON.stringify({ level: "info", service: "generator", msg: "generator listening" });
    out.service("generator", "stdout", own);
    out.service("web", "stdout", "▲ Next.js 16.4.6");
    out.service("web#2", "stderr", "Error: boom");
    out.log.warn("generator exited unexpectedly");
    expect(lines[0]).toBe(own);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed[1]).toMatchObject({ level: "info", service: "web", stream: "stdout", msg: "▲ Next.js 16.4.6" });
    expect(parsed[2]).toMatchObject({ level: "warn", service: "web", instance: "web#2", msg: "Error: boom" });
    expect(parsed[3]).toMatchObject({ level: "warn", service: "launcher", msg: "generator exited unexpectedly" });
  });

  it("scrubs the secrets it learns from what it wraps and writes itself", () => {
    const lines: string[] = [];
    const out = launcherOutput({ write: (line) => lines.push(line) });
    out.service("web", "stderr", "before: secret-value-0123456789");
    out.redactValues(["secret-value-0123456789"]);
    out.service("web", "stderr", "crash with secret-value-0123456789");
    out.log.info("launcher saw secret-value-0123456789");
    expect(lines[0]).toContain("secret-value-0123456789");
    expect(lines.slice(1).join("\n")).not.toContain("secret-value-0123456789");
  });
});
