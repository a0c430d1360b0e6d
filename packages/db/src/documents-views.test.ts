import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generations, mediaFiles, notifications } from "./schema";
import { startTestDatabase } from "./testing";

/**
 * The read-only `documents` views (migration 0010): the queries documents
 * 000, 001 and 004 print, run exactly as written after
 * `SET search_path TO documents, public`.
 */
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let client: pg.Client;
let userId: string;
const imageJob = randomUUID();
const videoJob = randomUUID();
const deletedJob = randomUUID();

beforeAll(async () => {
  t = await startTestDatabase();
  userId = (await t.createUser()).id;
  const at = (s: number) => new Date(Date.UTC(2025, 9, 23, 14, 30, s));
  await t.db.insert(generations).values([
    {
      id: imageJob,
      kind: "image",
      authorId: userId,
      prompt: "Un chat mignon avec des lunettes de soleil",
      params: { num_images: 2, size: "1024x1024", format: "PNG", style: "illustration", quality: "high" },
      model: "gemini-2.5-flash-image",
      status: "COMPLETED",
      progress: 100,
      message: "2 image(s) generated",
      processingTimeMs: 12_500,
      createdAt: at(1),
      completedAt: at(20),
    },
    {
      id: videoJob,
      kind: "video",
      authorId: userId,
      prompt: "Un chat astronaute",
      params: { aspect_ratio: "16:9", duration_seconds: 8, number_of_videos: 1, person_generation: "ALLOW_ALL" },
      status: "GENERATING",
      progress: 60,
      createdAt: at(2),
    },
    { id: deletedJob, kind: "image", authorId: userId, prompt: "gone", params: {}, createdAt: at(3), deletedAt: at(4) },
  ]);
  await t.db.insert(mediaFiles).values([
    ...[1, 2].map((n) => ({
      id: `${imageJob}-f${n}`,
      generationId: imageJob,
      index: n - 1,
      storageKey: `images/${imageJob}/image_${n}.png`,
      sizeBytes: 524_288 + n,
      format: "PNG",
      width: 1024,
      height: 1024,
      description: "Un chat mignon",
      createdAt: at(20 + n),
    })),
    {
      id: `${deletedJob}-f1`,
      generationId: deletedJob,
      index: 0,
      storageKey: `images/${deletedJob}/image_1.png`,
      sizeBytes: 1,
      format: "PNG",
      width: 8,
      height: 8,
    },
  ]);
  await t.db.insert(notifications).values({
    id: randomUUID(),
    userId,
    type: "IMAGE_COMPLETED",
    title: "Images ready",
    message: "2 image(s) generated",
    metadata: { job_id: imageJob },
    createdAt: at(30),
  });
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
  await client.query("SET search_path TO documents, public");
});
afterAll(async () => {
  await client?.end();
  await t?.stop();
});

const run = async (text: string) => (await client.query(text)).rows;

describe("the documents' queries, verbatim", () => {
  it("document 000: a job and its files by id", async () => {
    const [job] = await run(`SELECT * FROM image_generations WHERE id = '${imageJob}';`);
    expect(job).toMatchObject({
      id: imageJob,
      authorId: userId,
      authorid: userId,
      prompt: "Un chat mignon avec des lunettes de soleil",
      numImages: 2,
      numimages: 2,
      size: "1024x1024",
      format: "PNG",
      style: "illustration",
      quality: "high",
      model: "gemini-2.5-flash-image",
      status: "COMPLETED",
      progress: 100,
    });
    expect(Number(job.processingTime)).toBe(12.5);
    const files = await run(`SELECT * FROM image_files WHERE generationId = '${imageJob}';`);
    expect(files.map((f) => f.s3Key)).toEqual([`images/${imageJob}/image_1.png`, `images/${imageJob}/image_2.png`]);
    expect(files[0]).toMatchObject({
      generationId: imageJob,
      generationid: imageJob,
      filename: "image_1.png",
      fileUrl: `/api/media/images/${imageJob}/image_1.png`,
      fileurl: `/api/media/images/${imageJob}/image_1.png`,
      format: "PNG",
      width: 1024,
      height: 1024,
      aspectRatio: "1024x1024",
      metadata: { description: "Un chat mignon", model: "gemini-2.5-flash-image", state: "stored" },
    });
    expect(Number(files[0].fileSize)).toBe(524_289);
  });

  it("document 001: the latest jobs, one job's files, the notifications", async () => {
    const latest = await run(`SELECT id, prompt, status, progress, createdAt 
FROM image_generations 
ORDER BY createdAt DESC 
LIMIT 5;`);
    // The deleted job is hidden; createdAt answers as createdat (unquoted, folded).
    expect(latest).toEqual([
      {
        id: imageJob,
        prompt: "Un chat mignon avec des lunettes de soleil",
        status: "COMPLETED",
        progress: 100,
        createdat: new Date(Date.UTC(2025, 9, 23, 14, 30, 1)),
      },
    ]);
    expect(
      await run(`SELECT * FROM image_files 
WHERE generationId = '${imageJob}';`),
    ).toHaveLength(2);
    const notes = await run(`SELECT * FROM notifications 
WHERE type = 'IMAGE_COMPLETED' 
ORDER BY createdAt DESC 
LIMIT 5;`);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ userId, userid: userId, read: false, metadata: { job_id: imageJob } });
  });

  it("document 004: the latest jobs, and files joined to their job under the alias `if`", async () => {
    expect(
      await run(`SELECT * FROM image_generations 
ORDER BY createdAt DESC LIMIT 5;`),
    ).toHaveLength(1);
    // IF is a non-reserved keyword in PostgreSQL, so it can be a table alias.
    const rows = await run(`SELECT ig.prompt, if.fileUrl, if.fileSize
FROM image_files if
JOIN image_generations ig ON if.generationId = ig.id
ORDER BY if.createdAt DESC;`);
    expect(rows).toEqual([
      {
        prompt: "Un chat mignon avec des lunettes de soleil",
        fileurl: `/api/media/images/${imageJob}/image_2.png`,
        filesize: "524290",
      },
      {
        prompt: "Un chat mignon avec des lunettes de soleil",
        fileurl: `/api/media/images/${imageJob}/image_1.png`,
        filesize: "524289",
      },
    ]);
  });

  it("the video views: document 004's columns, both spellings", async () => {
    const [job] = await run(`SELECT * FROM video_generations WHERE id = '${videoJob}'`);
    expect(job).toMatchObject({
      aspectRatio: "16:9",
      aspectratio: "16:9",
      durationSeconds: 8,
      numberOfVideos: 1,
      personGeneration: "ALLOW_ALL",
      status: "GENERATING",
      progress: 60,
    });
    expect(await run(`SELECT * FROM video_files WHERE generationId = '${videoJob}'`)).toEqual([]);
  });
});

describe("writes through the views", () => {
  for (const [what, text] of [
    ["insert", "INSERT INTO image_generations (id, prompt) VALUES ('x', 'y')"],
    ["update", "UPDATE image_generations SET prompt = 'changed'"],
    ["delete", "DELETE FROM image_files"],
    ["update", "UPDATE notifications SET title = 'changed'"],
    ["delete", "DELETE FROM video_generations"],
    ["insert", "INSERT INTO video_files (id) VALUES ('x')"],
  ] as const) {
    it(`refuses an ${what}: ${text}`, async () => {
      await expect(run(text)).rejects.toThrow(/cannot (insert into|update|delete from) view/);
    });
  }

  it("left every row as it was", async () => {
    const [row] = await run(`SELECT prompt FROM public.generations WHERE id = '${imageJob}'`);
    expect(row.prompt).toBe("Un chat mignon avec des lunettes de soleil");
    expect(await run("SELECT count(*)::int AS n FROM public.media_files")).toEqual([{ n: 3 }]);
  });
});
