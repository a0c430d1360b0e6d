import net from "node:net";
import { Readable } from "node:stream";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Storage } from "./s3";
import { startTestS3, type TestS3 } from "./testing";

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => s3?.stop());

const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i % 256));

async function listed(store: S3Storage, prefix: string): Promise<string[]> {
  const page = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key ?? "");
}

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("S3 storage", () => {
  it("deletes a prefix holding more objects than one list page, page by page", async () => {
    const store = new S3Storage(s3.options({ listPageSize: 2 }));
    const keys = Array.from({ length: 7 }, (_, i) => `videos/paged/video_${i + 1}.mp4`);
    for (const key of keys) {
      await store.put(key, bytes(10), "video/mp4");
    }
    await store.put("videos/paged-other/video_1.mp4", bytes(10), "video/mp4");
    expect(await listed(store, "videos/paged/")).toHaveLength(7);
    await store.deletePrefix("videos/paged");
    expect(await listed(store, "videos/paged/")).toEqual([]);
    expect(await listed(store, "videos/paged-other/")).toEqual(["videos/paged-other/video_1.mp4"]);
  });

  it("signs a short-lived GET that serves byte ranges and carries the type from the key", async () => {
    const store = new S3Storage(s3.options({ presignSeconds: 120 }));
    const key = "images/signed/image_1.png";
    await store.put(key, bytes(1000), "PNG");
    const url = new URL(await store.signedUrl(key));
    expect(url.searchParams.get("X-Amz-Expires")).toBe("120");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("image/png");
    expect(whole.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes(1000))).toBe(true);

    const part = await fetch(url, { headers: { range: "bytes=100-199" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 100-199/1000");
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes(1000).subarray(100, 200))).toBe(true);

    // A download link's URL makes S3 answer with the attachment header it was signed with.
    const disposition = 'attachment; filename="sorami-12345678-image_1.png"';
    const download = await fetch(await store.signedUrl(key, { contentDisposition: disposition }));
    expect([download.status, download.headers.get("content-disposition")]).toEqual([200, disposition]);
  });

  it("gives the same URL within half its lifetime, a new one after, and refuses an expired one", async () => {
    const store = new S3Storage(s3.options({ presignSeconds: 120 }));
    const key = "images/window/image_1.png";
    await store.put(key, bytes(10), "PNG");
    const start = Math.floor(Date.now() / 60_000) * 60_000; // a window boundary (half of 120 s)
    const a = await store.signedUrl(key, { now: start });
    expect(await store.signedUrl(key, { now: start + 59_999 })).toBe(a);
    expect(await store.signedUrl(key, { now: start + 60_000 })).not.toBe(a);
    // Signed 3 minutes ago with a 2-minute lifetime: S3 refuses it.
    const expired = await store.signedUrl(key, { now: Date.now() - 180_000 });
    expect((await fetch(expired)).status).toBe(403);
    expect((await fetch(await store.signedUrl(key))).status).toBe(200);
  });

  it("fails loudly when the server is unreachable or the bucket is wrong, instead of reporting a missing file", async () => {
    const down = new S3Storage(s3.options({ endpoint: `http://127.0.0.1:${await closedPort()}` }));
    await expect(down.put("images/x/image_1.png", bytes(10), "PNG")).rejects.toThrow();
    await expect(
      down.put("images/x/image_2.png", { stream: Readable.from([bytes(10)]), sizeBytes: 10 }, "PNG"),
    ).rejects.toThrow();
    await expect(down.open("images/x/image_1.png")).rejects.toThrow();

    await expect(down.check()).rejects.toThrow(/S3 bucket "sorami-media" is not reachable/);
    await new S3Storage(s3.options()).check();

    const wrongBucket = new S3Storage(s3.options({ bucket: "no-such-bucket" }));
    await expect(wrongBucket.check()).rejects.toThrow(/S3 bucket "no-such-bucket" is not reachable \(HTTP 404\)/);
    await expect(wrongBucket.put("images/x/image_1.png", bytes(10), "PNG")).rejects.toThrow(/bucket/i);
    await expect(wrongBucket.open("images/x/image_1.png")).rejects.toThrow(/bucket/i);
  });
});
