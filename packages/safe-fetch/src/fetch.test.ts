import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SafeFetchError } from "./errors";
import { FETCH_MAX_BYTES, FETCH_MAX_REDIRECTS, FETCH_TIMEOUT_MS, fetchImage, type Resolver } from "./fetch";

/**
 * A real HTTP server on loopback. Loopback is refused by the fetcher, so
 * the tests that need to reach it list it the way an operator would
 * (INPUT_IMAGE_ALLOWED_HOSTS); every other rule still applies to it.
 */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
let server: http.Server;
let base: string;
let host: string;
const seen: { url: string; host: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", host: req.headers.host });
    const url = new URL(req.url ?? "/", "http://x");
    const hops = /^\/hops\/(\d+)$/.exec(url.pathname);
    if (hops) {
      const left = Number(hops[1]);
      res.writeHead(302, { location: left > 1 ? `/hops/${left - 1}` : "/image.png" }).end();
      return;
    }
    switch (url.pathname) {
      case "/image.png":
        res.writeHead(200, { "content-type": "image/png" }).end(PNG);
        return;
      case "/html":
        res.writeHead(200, { "content-type": "image/png" }).end("<html><body>not an image</body></html>");
        return;
      case "/stream": {
        // No Content-Length: the cap must hold while streaming.
        const total = Number(url.searchParams.get("bytes"));
        res.writeHead(200, { "content-type": "image/png" });
        res.write(PNG.subarray(0, 8));
        let sent = 8;
        const chunk = Buffer.alloc(64 * 1024, 7);
        const pump = () => {
          while (sent < total) {
            const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
            sent += part.length;
            if (!res.write(part)) {
              return void res.once("drain", pump);
            }
          }
          res.end();
        };
        pump();
        return;
      }
      case "/declared-huge":
        res.writeHead(200, { "content-type": "image/png", "content-length": String(FETCH_MAX_BYTES + 1) });
        res.write(PNG.subarray(0, 8)); // and then nothing: the fetcher must not wait for the rest
        return;
      case "/hang":
        return; // never answers
      case "/to":
        res.writeHead(302, { location: url.searchParams.get("u") ?? "/" }).end();
        return;
      case "/missing":
        res.writeHead(404).end();
        return;
      case "/busy":
        res.writeHead(503).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  base = `http://${host}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function failure(promise: Promise<unknown>): Promise<SafeFetchError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SafeFetchError);
  return error as SafeFetchError;
}

/** Counts requests that reached the server while `run` ran. */
async function requestsDuring(run: () => Promise<unknown>): Promise<number> {
  const before = seen.length;
  await run();
  return seen.length - before;
}

describe("addresses", () => {
  it("refuses loopback without sending a single byte to it", async () => {
    expect(
      await requestsDuring(async () => {
        const e = await failure(fetchImage(`${base}/image.png`));
        expect([e.code, e.permanent]).toEqual(["blocked_address", true]);
        expect(e.message).toContain("127.0.0.1 (loopback address)");
      }),
    ).toBe(0);
  });

  it.each([
    ["http://10.0.0.1/a.png", "private"],
    ["http://172.16.0.1/a.png", "private"],
    ["http://192.168.1.1/a.png", "private"],
    ["http://169.254.169.254/latest/meta-data/", "cloud metadata"],
    ["http://[::1]/a.png", "loopback"],
    ["http://[fc00::1]/a.png", "unique-local"],
    ["http://[::ffff:127.0.0.1]/a.png", "IPv4-mapped loopback"],
    ["http://2130706433/a.png", "loopback"],
    ["http://0177.0.0.1/a.png", "loopback"],
    ["http://0x7f000001/a.png", "loopback"],
  ])("refuses %s (%s)", async (url, reason) => {
    const e = await failure(fetchImage(url));
    expect(e.code).toBe("blocked_address");
    expect(e.message).toContain(`(${reason} address)`);
  });

  it("refuses a host name that resolves to a private address, resolving it once", async () => {
    const calls: string[] = [];
    const resolve: Resolver = async (name) => {
      calls.push(name);
      return [
        { address: "93.184.216.34", family: 4 },
        { address: "10.1.2.3", family: 4 },
      ];
    };
    const e = await failure(fetchImage("https://images.example/cat.png", { resolve }));
    expect(e.code).toBe("blocked_address");
    expect(e.message).toContain("images.example resolves to 10.1.2.3 (private address)");
    expect(calls).toEqual(["images.example"]);
  });

  it("refuses a host name that resolves to the metadata service over IPv6-mapped form", async () => {
    const resolve: Resolver = async () => [{ address: "::ffff:169.254.169.254", family: 6 }];
    const e = await failure(fetchImage("http://meta.example/", { resolve }));
    expect(e.message).toContain("IPv4-mapped cloud metadata");
  });

  it("connects to the address it checked, sending the host name as Host", async () => {
    let calls = 0;
    const name = "pictures.internal";
    const port = host.split(":")[1];
    const resolve: Resolver = async () => {
      calls++;
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const got = await fetchImage(`http://${name}:${port}/image.png`, { resolve, allowHosts: [`${name}:${port}`] });
    expect(got).toMatchObject({ type: "PNG", mimeType: "image/png", redirects: 0 });
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(calls).toBe(1);
    expect(seen.at(-1)?.host).toBe(`${name}:${port}`);
  });

  it("reports a host that does not exist as permanent", async () => {
    const resolve: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    const e = await failure(fetchImage("https://nowhere.example/a.png", { resolve }));
    expect([e.code, e.permanent]).toEqual(["dns", true]);
  });
});

describe("redirects", () => {
  it(`follows up to ${FETCH_MAX_REDIRECTS} redirects and refuses one more`, async () => {
    const ok = await fetchImage(`${base}/hops/${FETCH_MAX_REDIRECTS}`, { allowHosts: [host] });
    expect([ok.type, ok.redirects, ok.url]).toEqual(["PNG", FETCH_MAX_REDIRECTS, `${base}/image.png`]);
    const e = await failure(fetchImage(`${base}/hops/${FETCH_MAX_REDIRECTS + 1}`, { allowHosts: [host] }));
    expect(e.code).toBe("too_many_redirects");
  });

  it("checks every hop: a redirect to a private address is refused before it is followed", async () => {
    const port = host.split(":")[1];
    for (const target of ["http://10.0.0.5/x.png", `http://127.0.0.2:${port}/image.png`, "http://[::1]/x.png"]) {
      const count = await requestsDuring(async () => {
        const e = await failure(fetchImage(`${base}/to?u=${encodeURIComponent(target)}`, { allowHosts: [host] }));
        expect(e.code).toBe("blocked_address");
        expect(e.message).toMatch(/redirects to/);
      });
      expect(count, target).toBe(1); // the redirect itself, nothing after it
    }
  });

  it("refuses a redirect to a host name that resolves to a private address", async () => {
    const resolve: Resolver = async () => [{ address: "192.168.10.10", family: 4 }];
    const e = await failure(
      fetchImage(`${base}/to?u=${encodeURIComponent("http://printer.example/x.png")}`, { allowHosts: [host], resolve }),
    );
    expect(e.message).toContain("printer.example resolves to 192.168.10.10 (private address)");
  });

  it("refuses a redirect to another scheme", async () => {
    const e = await failure(
      fetchImage(`${base}/to?u=${encodeURIComponent("file:///etc/passwd")}`, { allowHosts: [host] }),
    );
    expect(e.code).toBe("invalid_url");
  });
});

describe("body", () => {
  it(`accepts exactly ${FETCH_MAX_BYTES} bytes and refuses one more, counting while streaming`, async () => {
    const atCap = await fetchImage(`${base}/stream?bytes=${FETCH_MAX_BYTES}`, { allowHosts: [host] });
    expect(atCap.bytes.length).toBe(FETCH_MAX_BYTES);
    const e = await failure(fetchImage(`${base}/stream?bytes=${FETCH_MAX_BYTES + 1}`, { allowHosts: [host] }));
    expect(e.code).toBe("too_large");
  });

  it("refuses a declared Content-Length over the cap without waiting for the body", async () => {
    const e = await failure(fetchImage(`${base}/declared-huge`, { allowHosts: [host] }));
    expect(e.code).toBe("too_large");
  });

  it("refuses bytes that are not PNG, JPEG or WEBP, whatever the Content-Type says", async () => {
    const e = await failure(fetchImage(`${base}/html`, { allowHosts: [host] }));
    expect(e.code).toBe("not_image");
  });

  it("reports HTTP errors: 4xx as permanent, 5xx as worth retrying", async () => {
    const missing = await failure(fetchImage(`${base}/missing`, { allowHosts: [host] }));
    expect([missing.code, missing.permanent]).toEqual(["http_status", true]);
    const busy = await failure(fetchImage(`${base}/busy`, { allowHosts: [host] }));
    expect([busy.code, busy.permanent]).toEqual(["http_status", false]);
  });
});

describe("time", () => {
  it(`gives up after its time limit (${FETCH_TIMEOUT_MS / 1000} s by default) as a retryable timeout`, async () => {
    const e = await failure(fetchImage(`${base}/hang`, { allowHosts: [host], timeoutMs: 300 }));
    expect([e.code, e.permanent]).toEqual(["timeout", false]);
  });

  it("stops at once when its caller cancels, rethrowing the caller's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("job canceled");
    const pending = fetchImage(`${base}/hang`, { allowHosts: [host], signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });
});
