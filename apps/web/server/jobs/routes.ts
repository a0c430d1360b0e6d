import {
  galleryFiltersQuerySchema,
  type JobKind,
  SUBMIT_BODY_MAX_BYTES,
  VIDEO_SUBMIT_BODY_MAX_BYTES,
} from "@sorami/contracts";
import { env } from "../../env";
import { catalog } from "../catalog";
import { db, storage } from "../db";
import { json, parseWith, readJson, withUser } from "../http/handler";
import { downloadGeneration } from "../library/downloads";
import { listLibrary } from "../library/search";
import { cancelGeneration } from "./cancel";
import { deleteGeneration } from "./delete";
import { parseSubmission } from "./params";
import { checkModelFilter, getGenerationDetail, getJobResult, getJobStatus } from "./read";
import { rerunGeneration } from "./rerun";
import { submitGeneration, validateIdempotencyKey } from "./submit";

/**
 * The job endpoints, once for every kind: /api/images/* and /api/videos/*
 * route files each bind one of these to their kind.
 */
const BODY_LIMIT: Record<JobKind, number> = { image: SUBMIT_BODY_MAX_BYTES, video: VIDEO_SUBMIT_BODY_MAX_BYTES };
const noStore = { "Cache-Control": "no-store" };

export const submitRoute = (kind: JobKind) =>
  withUser(
    async ({ req, user }) => {
      const raw = await readJson(req, BODY_LIMIT[kind]);
      const submission = parseSubmission(
        kind,
        raw,
        await catalog().models(),
        env().inputImageAllowedHosts,
        env().moderation.policy,
        false,
        env().generatorApi,
      );
      const key = validateIdempotencyKey(req.headers.get("idempotency-key"));
      const ctx = { db: db(), storage: storage(), user, quotas: env().quotas };
      const { body, created } = await submitGeneration(ctx, kind, submission, key);
      return json(body, { status: 202, headers: created ? {} : { "Idempotent-Replayed": "true" } });
    },
    { maxBodyBytes: BODY_LIMIT[kind] },
  );

export const statusRoute = (kind: JobKind) =>
  withUser<{ id: string }>(async ({ user, params }) =>
    json(await getJobStatus(db(), user, kind, params.id), { headers: noStore }),
  );

export const resultRoute = (kind: JobKind) =>
  withUser<{ id: string }>(async ({ user, params }) =>
    json(await getJobResult(db(), user, kind, params.id), { headers: noStore }),
  );

export const galleryRoute = (kind: JobKind) =>
  withUser(async ({ req, user }) => {
    const query = parseWith(galleryFiltersQuerySchema, Object.fromEntries(new URL(req.url).searchParams));
    if (query.model) {
      checkModelFilter(
        query.model,
        await catalog()
          .models()
          .catch(() => null),
      );
    }
    return json(await listLibrary(db(), user, kind, query), { headers: noStore });
  });

export const cancelRoute = (kind: JobKind) =>
  withUser<{ id: string }>(async ({ user, params }) => json(await cancelGeneration(db(), user, kind, params.id)));

export const detailRoute = (kind: JobKind) =>
  withUser<{ id: string }>(async ({ user, params }) =>
    json(await getGenerationDetail(db(), user, kind, params.id), { headers: noStore }),
  );

/** 204 once the job is deleted (canceled first if it was running) and its files are gone. */
export const deleteRoute = (kind: JobKind) =>
  withUser<{ id: string }>(async ({ user, params }) => {
    await deleteGeneration(db(), storage(), user, kind, params.id);
    return new Response(null, { status: 204 });
  });

export const rerunRoute = (kind: JobKind) =>
  withUser<{ id: string }>(async ({ req, user, params }) => {
    const key = validateIdempotencyKey(req.headers.get("idempotency-key"));
    const catalogNow = { models: await catalog().models(), inputImageAllowedHosts: env().inputImageAllowedHosts };
    const ctx = {
      db: db(),
      storage: storage(),
      user,
      quotas: env().quotas,
      catalog: catalogNow,
      policy: env().moderation.policy,
    };
    const { body, created } = await rerunGeneration(ctx, kind, params.id, key);
    return json(body, { status: 202, headers: created ? {} : { "Idempotent-Replayed": "true" } });
  });

/** Every file of the generation as one ZIP, streamed. */
export const downloadRoute = (kind: JobKind) =>
  withUser<{ id: string }>(async ({ user, params }) => downloadGeneration(db(), storage(), user, kind, params.id));
