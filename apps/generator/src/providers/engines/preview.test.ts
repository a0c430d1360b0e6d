import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  PREVIEW_MAX_BYTES,
  PREVIEW_MAX_INPUT_BYTES,
  PREVIEW_MAX_SIDE,
  PREVIEW_MIN_INTERVAL_MS,
  PreviewThrottle,
  shrinkPreview,
} from "./preview";

const jpeg = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 30 } } })
    .jpeg()
    .toBuffer();

describe("live previews", () => {
  it("lets through at most one frame per interval, the first one after each interval, dropping the rest", async () => {
    let now = 0;
    const emittedAt: number[] = [];
    const throttle = new PreviewThrottle(
      () => emittedAt.push(-1),
      () => now,
    );
    const frame = await jpeg(64, 64);
    const offeredAt: number[] = [];
    // 40 frames, one every 50 ms: 2 s of sampling.
    for (let i = 0; i < 40; i++) {
      now = i * 50;
      if (throttle.wants()) {
        offeredAt.push(now);
      }
      throttle.offer(frame);
    }
    await throttle.settled();
    expect(offeredAt).toEqual([0, 500, 1000, 1500]);
    expect(emittedAt).toHaveLength(4);
    expect(PREVIEW_MIN_INTERVAL_MS).toBe(500);
  });

  it("says whether it wants a frame, so a poller can skip fetching one", () => {
    let now = 1000;
    const throttle = new PreviewThrottle(
      () => {},
      () => now,
    );
    expect(throttle.wants()).toBe(true);
    throttle.offer(Buffer.from("not an image"));
    expect(throttle.wants()).toBe(false);
    now += PREVIEW_MIN_INTERVAL_MS;
    expect(throttle.wants()).toBe(true);
  });

  it("re-encodes a frame small as WEBP, and ignores what is not an image", async () => {
    const frame = await shrinkPreview(await jpeg(1024, 512));
    const meta = await sharp(frame?.data).metadata();
    expect([frame?.mimeType, meta.format, meta.width, meta.height]).toEqual([
      "image/webp",
      "webp",
      PREVIEW_MAX_SIDE,
      128,
    ]);
    const tiny = await shrinkPreview(await jpeg(100, 40));
    expect((await sharp(tiny?.data).metadata()).width).toBe(100);
    expect(await shrinkPreview(Buffer.from("garbage"))).toBeNull();
    expect(await shrinkPreview(Buffer.alloc(0))).toBeNull();
    // Not even decoded beyond PREVIEW_MAX_INPUT_BYTES: a preview that big is a broken engine.
    const huge = Buffer.concat([await jpeg(64, 64), Buffer.alloc(PREVIEW_MAX_INPUT_BYTES)]);
    expect(await shrinkPreview(huge)).toBeNull();
  });

  it("brings a noisy early frame under PREVIEW_MAX_BYTES by lowering quality, then size", async () => {
    const noise = Buffer.alloc(512 * 512 * 3);
    for (let i = 0; i < noise.length; i++) {
      noise[i] = (i * 2654435761) % 251;
    }
    const noisy = await sharp(noise, { raw: { width: 512, height: 512, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const plain = await sharp(noisy).resize(PREVIEW_MAX_SIDE).webp({ quality: 60 }).toBuffer();
    expect(plain.length).toBeGreaterThan(PREVIEW_MAX_BYTES);
    const frame = await shrinkPreview(noisy);
    expect(frame?.data.length).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
    expect((await sharp(frame?.data).metadata()).format).toBe("webp");
  });
});
