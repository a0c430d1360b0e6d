import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SafeFetchError } from "./errors";
import { fetchMedia } from "./media";

/** A real server on loopback, allowed the way a provider's configured host is. */
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from("ftypisom"), Buffer.alloc(64, 2)]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
let server: http.Server;
let base: string;
let host: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const files: Record<string, Buffer | string> = { "/v.mp4": MP4, "/i.png": PNG, "/page": "<html>expired</html>" };
    const body = files[req.url ?? ""];
    if (body === undefined) {
      res.writeHead(410).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function refusal(promise: Promise<unknown>): Promise<SafeFetchError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SafeFetchError);
  return error as SafeFetchError;
}

describe("fetchMedia", () => {
  it("fetches videos and images by their bytes from an allowed host", async () => {
    const video = await fetchMedia(`${base}/v.mp4`, ["video"], { allowHosts: [host] });
    expect([video.type, video.mimeType, video.bytes.length]).toEqual(["MP4", "video/mp4", MP4.length]);
    expect((await fetchMedia(`${base}/i.png`, ["image", "video"], { allowHosts: [host] })).type).toBe("PNG");
  });

  it("refuses another kind, a page, an expired file and a size past the cap, in the caller's words", async () => {
    const opts = { allowHosts: [host], label: "fal's output URL" };
    expect((await refusal(fetchMedia(`${base}/i.png`, ["video"], opts))).message).toBe(
      "fal's output URL did not return a MP4, WEBM file (judged by its bytes).",
    );
    expect((await refusal(fetchMedia(`${base}/page`, ["image"], opts))).code).toBe("not_image");
    expect((await refusal(fetchMedia(`${base}/gone`, ["image"], opts))).message).toBe(
      "fal's output URL answered HTTP 410 instead of the file.",
    );
    expect((await refusal(fetchMedia(`${base}/v.mp4`, ["video"], { ...opts, maxBytes: 16 }))).code).toBe("too_large");
  });

  it("refuses private addresses that are not the allowed host, before any traffic", async () => {
    const e = await refusal(
      fetchMedia("http://10.1.2.3/out.png", ["image"], { allowHosts: [host], label: "The output URL" }),
    );
    expect(e.message).toBe(
      "The output URL points to 10.1.2.3 (private address); Sorami fetches files from public addresses only.",
    );
    expect((await refusal(fetchMedia(`${base}/i.png`, ["image"]))).code).toBe("blocked_address");
  });
});
