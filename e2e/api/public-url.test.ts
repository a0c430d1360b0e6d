import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchChecked, waitFor } from "../support/client";
import { cleanUp, type NpmStart, npmStart } from "../support/launcher";
import { freePort } from "../support/stack";

/**
 * One machine behind a reverse proxy, configured as the README says: the
 * operator sets WEB_URL to the public address and `npm start` must pass it on
 * as set. Users sign up and work through the proxy; the sign-in origin check
 * still refuses another site, and the launcher's own default address is no
 * longer an accepted origin.
 */
let run: NpmStart | undefined;
let proxy: http.Server;
let publicUrl: string;

/** A small reverse proxy, as nginx would be set up: Host kept, X-Forwarded-* added. */
function startProxy(port: number, target: () => number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: target(),
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          "x-forwarded-for": req.socket.remoteAddress ?? "",
          "x-forwarded-proto": "http",
          "x-forwarded-host": req.headers.host ?? "",
        },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  const proxyPort = await freePort();
  const webPort = await freePort();
  publicUrl = `http://127.0.0.1:${proxyPort}`;
  proxy = await startProxy(proxyPort, () => webPort);
  run = await npmStart({ port: webPort, env: { WEB_URL: publicUrl, TRUST_PROXY: "on" } });
});
afterAll(async () => {
  await cleanUp(run);
  await new Promise((r) => proxy?.close(() => r(null)));
});

const authPost = (path: string, origin: string, body: unknown) =>
  fetchChecked(`${publicUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify(body),
  });

describe("WEB_URL set by the operator, behind a reverse proxy", () => {
  it("reaches the web app: a sign-up from the public origin succeeds, and a job completes through the proxy", async () => {
    const email = `public-${Date.now()}@example.test`;
    const res = await authPost("/api/auth/sign-up/email", publicUrl, {
      name: "Public",
      email,
      password: "correct horse battery",
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const call = api(publicUrl, token);
    const job = await call("POST", "/api/images/generate", { prompt: "through the proxy", size: "256x256" });
    expect(job.status).toBe(202);
    // The generator's webhooks go to WEB_URL too: through the proxy, back to the web app.
    await waitFor(
      async () => (await call("GET", `/api/images/${job.data.job_id}/status`)).data?.status === "COMPLETED",
      "the job to complete",
      120_000,
    );
  });

  it("still refuses a sign-in from another origin, and from the launcher's default address", async () => {
    for (const origin of ["https://evil.example", `http://localhost:${run?.port}`]) {
      const res = await authPost("/api/auth/sign-in/email", origin, {
        email: "nobody@example.test",
        password: "correct horse battery",
      });
      expect(res.status, `sign-in from ${origin}`).toBe(403);
    }
  });
});
