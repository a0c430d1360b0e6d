import { randomUUID } from "node:crypto";
import { api, fetchChecked, present, secretsOf, signUp, sql, waitFor } from "../support/client";
import type { Stack } from "../support/stack";

/** A signed-in user, by bearer token and by browser cookie. */
export type Principal = { id: string; email: string; token: string; cookie: string };

/** What the route table's probes need: users, and finished resources the owner has. */
export type Fixtures = {
  owner: Principal;
  other: Principal;
  admin: Principal;
  /** A user the admin probes disable, enable and give a role (each idempotent: repeated probes change nothing more). */
  victim: Principal;
  /** The owner's completed image and video jobs. */
  imageJob: string;
  videoJob: string;
  /** Finished jobs of the owner for the DELETE probes: each legitimate request takes (and deletes) a fresh one. */
  spareImageJobs: string[];
  spareVideoJobs: string[];
  /** Finished jobs of the owner for the admin's DELETE probe. */
  adminSpareJobs: string[];
  /** A failed image job of the owner's (written straight to the database), which an admin retries. */
  failedJob: string;
  /** The media file id of the owner's image (the moderation probes: it is not held, so a decision is a 409). */
  mediaFile: string;
  /** One of the owner's notifications. */
  notification: string;
  /** The storage key of one of the owner's images (served at /api/media/{key}). */
  mediaKey: string;
  /** A generator webhook delivery (msg_…) of the owner's image job. */
  delivery: string;
  /** The id of one of the owner's image files (media_files.id). */
  fileId: string;
  /** One of the owner's collections, holding the image job. */
  collection: string;
  /** Collections and share links of the owner for the DELETE probes (each request takes one). */
  spareCollections: string[];
  spareShares: string[];
  /** A live share link to the owner's image job: its token, and its file's id. */
  shareToken: string;
  serviceKey: string;
  webhookSecret: string;
  /** The stack's METRICS_TOKEN (GET /metrics on both services). */
  metricsToken: string;
};

/** Spare jobs per kind for the DELETE probes (each request of the owner's takes one). */
const SPARE_JOBS = 12;

/** The admin's email: stacks that use these fixtures list it in ADMIN_EMAILS. */
export const ADMIN_EMAIL = "admin@example.test";
export const PASSWORD = "correct horse battery";

/** Signs in the way a browser does (Origin of the app) and keeps the session cookie. */
export async function browserCookie(webUrl: string, email: string): Promise<string> {
  const res = await fetchChecked(`${webUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: webUrl },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!res.ok) {
    throw new Error(`browser sign-in failed: ${res.status} ${await res.text()}`);
  }
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] ?? "")
    .find((c) => c.includes("session_token="));
  if (!cookie) {
    throw new Error("sign-in set no session cookie");
  }
  return cookie;
}

async function principal(webUrl: string, name: string, email?: string): Promise<Principal> {
  const user = await signUp(webUrl, name, email);
  return { ...user, cookie: await browserCookie(webUrl, user.email) };
}

export async function createFixtures(stack: Stack): Promise<Fixtures> {
  const owner = await principal(stack.webUrl, "Owner");
  const other = await principal(stack.webUrl, "Other");
  const admin = await principal(stack.webUrl, "Admin", ADMIN_EMAIL);
  const victim = await principal(stack.webUrl, "Victim");
  const call = api(stack.webUrl, owner.token);
  const image = await call("POST", "/api/images/generate", { prompt: "a red kite", num_images: 1, size: "256x256" });
  const video = await call("POST", "/api/videos/generate", {
    prompt: "a slow tide",
    duration_seconds: 1,
    aspect_ratio: "1:1",
  });
  if (image.status !== 202 || video.status !== 202) {
    throw new Error(`submit failed: ${image.text} ${video.text}`);
  }
  const done = (plural: "images" | "videos", id: string) =>
    waitFor(async () => {
      const r = await call("GET", `/api/${plural}/${id}/status`);
      return r.data?.status === "COMPLETED" ? r.data : null;
    }, `${plural} job ${id} to complete`);
  await Promise.all([done("images", image.data.job_id), done("videos", video.data.job_id)]);
  const result = await call("GET", `/api/images/${image.data.job_id}/result`);
  const notifications = await call("GET", "/api/notifications");
  const [delivery] = await sql<{ id: string }>(
    stack.databaseUrl,
    "select id from generator.webhook_deliveries where job_id = $1 order by created_at limit 1",
    [image.data.job_id],
  );
  const secrets = secretsOf(stack.dataDir);
  const spare = async (kind: "image" | "video", params: Record<string, unknown>) => {
    const id = randomUUID();
    await sql(
      stack.databaseUrl,
      "insert into generations (id, kind, author_id, prompt, params, status, progress) values ($1, $2, $3, $4, $5, 'COMPLETED', 100)",
      [id, kind, owner.id, String(params.prompt), JSON.stringify(params)],
    );
    return id;
  };
  const spares = async (kind: "image" | "video", params: Record<string, unknown>) => {
    const ids: string[] = [];
    for (let i = 0; i < SPARE_JOBS; i++) {
      ids.push(await spare(kind, params));
    }
    return ids;
  };
  const failedJob = randomUUID();
  await sql(
    stack.databaseUrl,
    `insert into generations (id, kind, author_id, prompt, params, status, progress, error, error_kind)
     values ($1, 'image', $2, 'a failed kite', $3, 'FAILED', 0, 'The model is temporarily unavailable', 'transient')`,
    [failedJob, owner.id, JSON.stringify({ num_images: 1, size: "256x256", format: "PNG" })],
  );
  const [mediaFile] = await sql<{ id: string }>(
    stack.databaseUrl,
    "select id from media_files where generation_id = $1 order by index limit 1",
    [image.data.job_id],
  );
  const collection = await call("POST", "/api/collections", { name: "Fixtures" });
  await call("PUT", `/api/collections/${collection.data.id}/generations/${image.data.job_id}`);
  const spareCollections: string[] = [];
  const spareShares: string[] = [];
  for (let i = 0; i < SPARE_JOBS; i++) {
    spareCollections.push((await call("POST", "/api/collections", { name: `Spare ${i}` })).data.id);
    spareShares.push(
      (await call("POST", "/api/shares", { generation_id: image.data.job_id, expires_in_seconds: null })).data.id,
    );
  }
  const share = await call("POST", "/api/shares", { generation_id: image.data.job_id, expires_in_seconds: 3600 });
  if (collection.status !== 201 || share.status !== 201) {
    throw new Error(`library fixtures failed: ${collection.text} ${share.text}`);
  }
  return {
    fileId: present(result.data.images[0]).id,
    collection: collection.data.id,
    spareCollections,
    spareShares,
    shareToken: share.data.token,
    spareImageJobs: await spares("image", { prompt: "a spare kite", num_images: 1, size: "256x256" }),
    adminSpareJobs: await spares("image", { prompt: "an admin's spare", num_images: 1, size: "256x256" }),
    failedJob,
    mediaFile: mediaFile?.id ?? "",
    victim,
    spareVideoJobs: await spares("video", { prompt: "a spare tide", duration_seconds: 1, aspect_ratio: "1:1" }),
    owner,
    other,
    admin,
    imageJob: image.data.job_id,
    videoJob: video.data.job_id,
    notification: present(notifications.data.notifications[0], "a notification").id,
    mediaKey: present(result.data.images[0], "an image").url.replace(/^\/api\/media\//, ""),
    delivery: delivery?.id ?? "",
    serviceKey: secrets.serviceKey,
    webhookSecret: secrets.webhookSecret,
    metricsToken: stack.metricsToken,
  };
}

/** Row counts and a content digest of every table of both services' schemas (queue schemas aside). */
export async function snapshotTables(databaseUrl: string): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>(
    databaseUrl,
    `select format('%I.%I', table_schema, table_name) as name from information_schema.tables
      where table_schema in ('public', 'generator') and table_type = 'BASE TABLE'
        and table_name not like '__drizzle%' order by 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await sql<{ n: string; digest: string }>(
      databaseUrl,
      `select count(*) as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${name} t`,
    );
    out[name] = `${row?.n} rows, ${row?.digest}`;
  }
  return out;
}
