import { BUILT_IN_MODELS, type CatalogEntry, type ImageParams, imageParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBfl, startFakeBfl } from "../../../../e2e/support/fakes/bfl";
import { BflProvider, pollingUrl } from "./bfl";
import { bytesAt, context, FAST_POLL, FAST_RETRY, failure } from "./remote-test-kit";
import { RemoteLostError } from "./types";

/** BFL's polling API, spoken by a local stand-in (BFL has no official JS client; the adapter uses fetch). */
let bfl: FakeBfl;
const entry = (id: string) => BUILT_IN_MODELS.find((e) => e.id === id) as CatalogEntry;
const make = (id = "bfl:flux-pro-1.1") =>
  new BflProvider<"image">({ key: bfl.key, baseUrl: bfl.url }, entry(id), FAST_POLL, FAST_RETRY);
const image = ({ seed, steps, guidance, ...over }: Partial<ImageParams> & Record<string, unknown>) =>
  ({
    ...imageParamsSchema.parse({ prompt: "a fox", size: "768x1024", format: "PNG", ...over }),
    ...(seed === undefined ? {} : { seed }),
    ...(steps === undefined ? {} : { steps }),
    ...(guidance === undefined ? {} : { guidance }),
  }) as ImageParams;
const run = async (provider: BflProvider<"image">, params: ImageParams) => {
  const { ctx } = context();
  return provider.wait(await provider.submit(params, ctx), params, ctx);
};

beforeAll(async () => {
  bfl = await startFakeBfl();
});
afterAll(async () => bfl?.close());

describe("BFL provider", () => {
  it("posts to the model's endpoint with x-key, polls the polling_url, and fetches the expiring sample at once", async () => {
    bfl.on("[poll]", { queue: [0], logs: ["0.4", "0.9"], fileTtlMs: 3000 });
    const provider = make("bfl:flux-dev");
    const params = image({ prompt: "fox [poll]", seed: 3, steps: 20, guidance: 2.5 });
    const { ctx, progress } = context();
    const handle = await provider.submit(params, ctx);
    const out = await provider.wait(handle, params, ctx);
    const [sent] = bfl.submitted().filter((r) => r.body?.prompt === "fox [poll]");
    expect(sent?.path).toBe("/v1/flux-dev");
    expect(sent?.headers["x-key"]).toBe(bfl.key);
    expect(sent?.body).toEqual({
      prompt: "fox [poll]",
      width: 768,
      height: 1024,
      output_format: "png",
      seed: 3,
      steps: 20,
      guidance: 2.5,
    });
    expect(handle.state?.polling_url).toBe(`${bfl.url}/v1/get_result?id=${handle.id}`);
    expect(progress.map((p) => p.percent)).toEqual([undefined, 40, 90, undefined]);
    expect(progress.at(-1)?.providerStatus).toBe("Ready");
    const sample = bfl.runs.get(handle.id)?.outputs?.[0] ?? "";
    expect(out.files[0]?.data).toEqual(await bytesAt(sample));
    expect(out.files[0]).toMatchObject({ format: "PNG", width: 768, height: 1024 });
    expect((await sharp(out.files[0]?.data).metadata()).format).toBe("png");
  });

  it("shows a moderated request or image as blocked content, and an Error with BFL's details", async () => {
    bfl.on("[req-mod]", { outcome: "blocked" });
    bfl.on("[img-mod]", { outcome: "blocked", message: "Content Moderated" });
    bfl.on("[error]", { outcome: "failure" });
    const provider = make();
    const req = await failure(run(provider, image({ prompt: "x [req-mod]" })));
    expect([req.kind, req.message]).toEqual([
      "content_blocked",
      'BFL\'s moderation refused the prompt: {"Moderation Reasons":["Derivative Works Filter"]}',
    ]);
    expect((await failure(run(provider, image({ prompt: "x [img-mod]" })))).message).toMatch(
      /^BFL's moderation withheld the generated image/,
    );
    const error = await failure(run(provider, image({ prompt: "x [error]" })));
    expect([error.kind, error.message]).toEqual([
      "transient",
      'BFL could not make the image (Error): {"error":"Internal generation error"}',
    ]);
  });

  it("refuses an expired sample, a private sample host, and sizes BFL cannot make", async () => {
    bfl.on("[expired]", { fileTtlMs: -1 });
    bfl.on("[private]", { outputBase: "http://172.16.0.9" });
    const provider = make();
    expect((await failure(run(provider, image({ prompt: "x [expired]" })))).message).toBe(
      "BFL's output URL answered HTTP 404 instead of the file.",
    );
    expect((await failure(run(provider, image({ prompt: "x [private]" })))).message).toMatch(
      /^BFL's output URL points to 172\.16\.0\.9 \(private address\)/,
    );
    const before = bfl.submitted().length;
    expect((await failure(run(provider, image({ size: "1280x720" })))).message).toMatch(
      /^size 1280x720 is not supported by bfl:flux-pro-1\.1; allowed: 256x256, /,
    );
    expect(bfl.submitted().length).toBe(before);
  });

  it("honours a 429's Retry-After, then submits once", async () => {
    bfl.on("[busy]", { rateLimit: { times: 1, retryAfterSeconds: 1 } });
    const out = await run(make(), image({ prompt: "x [busy]" }));
    expect(out.files).toHaveLength(1);
    expect(bfl.submitted().filter((r) => r.body?.prompt === "x [busy]")).toHaveLength(2);
    expect(bfl.submissions("[busy]")).toBe(1);
  });

  it("resumes on the stored id and polling_url after a restart: one submission, its sample", async () => {
    bfl.on("[resume]", { hold: true });
    const params = image({ prompt: "x [resume]" });
    const killed = new AbortController();
    const { ctx } = context({ signal: killed.signal });
    const handle = await make().submit(params, ctx);
    const stored = JSON.parse(JSON.stringify(handle));
    killed.abort();
    bfl.release(handle.id);
    const out = await make().wait(stored, params, context().ctx);
    expect(bfl.submissions("[resume]")).toBe(1);
    expect(out.files[0]?.data).toEqual(await bytesAt(bfl.runs.get(handle.id)?.outputs?.[0] ?? ""));
    // Ready already when resumed again: collected on the first poll.
    expect((await make().wait(stored, params, context().ctx)).metadata.polls).toBe(1);
    expect(
      await make()
        .wait({ id: "gone" }, params, context().ctx)
        .catch((e: unknown) => e),
    ).toBeInstanceOf(RemoteLostError);
  });

  it("sends the key only to BFL's own hosts", () => {
    const handle = (polling_url: string) => ({ id: "abc", state: { polling_url } });
    expect(pollingUrl(handle("https://api.us1.bfl.ai/v1/get_result?id=abc"), "https://api.bfl.ai")).toBe(
      "https://api.us1.bfl.ai/v1/get_result?id=abc",
    );
    expect(pollingUrl(handle("https://evil.example/v1/get_result?id=abc"), "https://api.bfl.ai")).toBe(
      "https://api.bfl.ai/v1/get_result?id=abc",
    );
    expect(pollingUrl(handle("http://api.us1.bfl.ai/x"), "https://api.bfl.ai")).toBe(
      "https://api.bfl.ai/v1/get_result?id=abc",
    );
    expect(pollingUrl(handle("http://127.0.0.1:9/x"), "http://127.0.0.1:8")).toBe(
      "http://127.0.0.1:8/v1/get_result?id=abc",
    );
  });
});
