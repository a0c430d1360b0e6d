import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { toStandardSecret } from "@sorami/contracts/signature";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchChecked, secretsOf, signUp, type TestUser, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";

/**
 * Sorami's webhooks against the official Standard Webhooks libraries
 * (`standardwebhooks`, and `svix` which wraps its own copy), both ways and
 * with both forms of secret: every delivery the generator sends is verified
 * by both libraries on its way to the web app (and carries no
 * X-Webhook-Secret), and webhooks the libraries sign are applied by the web
 * app's receiver. The generated secret is handed to the libraries as it is
 * in DATA_DIR/secrets.json, with no options; a plain WEBHOOK_SECRET as
 * `whsec_` + the base64 of its UTF-8 bytes (README, Webhook secrets).
 */
type Seen = { path: string; standard: boolean; svix: boolean; legacyHeader: boolean; event: string };

/** A receiver in front of the web app: verifies each delivery with both libraries, then forwards it. */
async function verifyingProxy(): Promise<{
  url: string;
  seen: Seen[];
  target: { webUrl: string; secret: string };
  close: () => void;
}> {
  const seen: Seen[] = [];
  const target = { webUrl: "", secret: "" };
  const verifies = (
    make: () => { verify: (body: string, headers: Record<string, string>) => unknown },
    body: string,
    headers: Record<string, string>,
  ) => {
    try {
      make().verify(body, headers);
      return true;
    } catch {
      return false;
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
      );
      seen.push({
        path: req.url ?? "",
        standard: verifies(() => new StandardWebhook(target.secret), body, headers),
        svix: verifies(() => new SvixWebhook(target.secret), body, headers),
        legacyHeader: "x-webhook-secret" in req.headers,
        event: (JSON.parse(body) as { status?: string }).status ?? "",
      });
      const forwarded = await fetch(`${target.webUrl}${req.url}`, {
        method: "POST",
        headers: Object.fromEntries(
          Object.entries(headers).filter(([k]) => !["host", "content-length", "connection"].includes(k)),
        ),
        body,
      });
      res.writeHead(forwarded.status, { "content-type": "application/json" }).end(await forwarded.text());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    target,
    close: () => server.close(),
  };
}

/** Everything one stack is checked for, given how the libraries are handed its secret. */
function suite(name: string, options: { env: Record<string, string>; librarySecret: (stack: Stack) => string }) {
  describe(name, () => {
    let stack: Stack;
    let proxy: Awaited<ReturnType<typeof verifyingProxy>>;
    let user: TestUser;
    let secret: string;

    beforeAll(async () => {
      proxy = await verifyingProxy();
      stack = await startStack({
        env: { LOCAL_PROVIDER_DELAY_MS: "0", ...options.env },
        serviceEnv: { generator: { WEB_URL: proxy.url } },
      });
      secret = options.librarySecret(stack);
      proxy.target.webUrl = stack.webUrl;
      proxy.target.secret = secret;
      user = await signUp(stack.webUrl, "Hooked");
    });
    afterAll(async () => {
      await stack?.stop();
      proxy?.close();
    });

    it("every delivery of a job verifies with standardwebhooks and svix, and none carries the secret", async () => {
      const call = api(stack.webUrl, user.token);
      const submit = await call("POST", "/api/images/generate", {
        prompt: "a signed kite",
        num_images: 1,
        size: "256x256",
      });
      expect(submit.status, submit.text).toBe(202);
      await waitFor(async () => {
        const r = await call("GET", `/api/images/${submit.data.job_id}/status`);
        return r.data?.status === "COMPLETED";
      }, "the job to complete through the verifying receiver");
      const deliveries = proxy.seen.filter((s) => s.path === "/api/webhooks/image-completion");
      expect(deliveries.map((d) => d.event)).toContain("completed");
      for (const d of deliveries) {
        expect(d, `the ${d.event} delivery`).toMatchObject({ standard: true, svix: true, legacyHeader: false });
      }
    });

    for (const [library, make] of [
      ["standardwebhooks", (s: string) => new StandardWebhook(s)],
      ["svix", (s: string) => new SvixWebhook(s)],
    ] as const) {
      it(`webhooks signed by ${library} are applied; signed with another secret, refused`, async () => {
        const jobId = randomUUID();
        const post = async (payload: object, signer: { sign: (id: string, at: Date, body: string) => string }) => {
          const body = JSON.stringify(payload);
          const id = `msg_${randomUUID().replaceAll("-", "")}`;
          const at = new Date();
          return fetchChecked(`${stack.webUrl}/api/webhooks/image-completion`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "webhook-id": id,
              "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
              "webhook-signature": signer.sign(id, at, body),
            },
            body,
          });
        };
        const stranger = make(`whsec_${randomBytes(32).toString("base64")}`);
        const forged = await post({ job_id: jobId, user_id: user.id, status: "generating", progress: 10 }, stranger);
        expect(forged.status).toBe(401);

        const generating = await post(
          { job_id: jobId, user_id: user.id, status: "generating", progress: 40 },
          make(secret),
        );
        expect(generating.status, await generating.text()).toBe(200);
        const failed = await post(
          { job_id: jobId, user_id: user.id, status: "failed", error_message: `refused by ${library}'s test` },
          make(secret),
        );
        expect(failed.status, await failed.text()).toBe(200);
        const status = await api(stack.webUrl, user.token)("GET", `/api/images/${jobId}/status`);
        expect(status.json).toMatchObject({ status: "FAILED", error: `refused by ${library}'s test` });
      });
    }
  });
}

suite("with the secret Sorami generates (whsec_), given to the libraries as is", {
  env: {},
  librarySecret: (stack) => {
    const generated = secretsOf(stack.dataDir).webhookSecret;
    expect(generated).toMatch(/^whsec_/);
    return generated;
  },
});

const PLAIN = randomBytes(32).toString("base64url");
suite("with an operator's plain WEBHOOK_SECRET, given to the libraries as whsec_ + base64 of its bytes", {
  env: { WEBHOOK_SECRET: PLAIN },
  librarySecret: () => toStandardSecret(PLAIN),
});
