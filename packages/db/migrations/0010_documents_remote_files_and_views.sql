ALTER TABLE "media_files" ADD COLUMN "state" text DEFAULT 'stored' NOT NULL;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "source_url" text;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "missing_reason" text;--> statement-breakpoint
ALTER TABLE "media_files" ADD CONSTRAINT "media_files_state_check" CHECK ("media_files"."state" in ('pending', 'stored', 'missing'));--> statement-breakpoint
ALTER TABLE "media_files" ADD CONSTRAINT "media_files_source_url_check" CHECK (("media_files"."state" = 'pending') = ("media_files"."source_url" is not null));--> statement-breakpoint
-- Documents 000–004 check their results with SQL written against their Prisma models
-- (image_generations, image_files, video_generations, video_files, notifications). These
-- read-only views answer those queries as written, after `SET search_path TO documents, public`.
-- PostgreSQL folds unquoted identifiers to lower case, so every camelCase column is there twice:
-- "generationId" for quoted spellings and generationid for the documents' unquoted ones.
-- Each view starts WITH a common table expression, which makes it not automatically updatable:
-- INSERT, UPDATE and DELETE through it are refused, whoever connects (a superuser included).
-- Deleted jobs and their files are hidden, as in every read of the web app. Hand-written (not
-- generated): drizzle-kit manages the public, generator and queue_health schemas only; a later
-- migration changing a column these views read must drop and recreate them.
CREATE SCHEMA IF NOT EXISTS "documents";
--> statement-breakpoint
CREATE VIEW "documents"."image_generations" AS
WITH g AS (SELECT * FROM "public"."generations" WHERE "kind" = 'image' AND "deleted_at" IS NULL)
SELECT
  g."id",
  g."author_id" AS "authorId", g."author_id" AS "authorid",
  g."organization_id" AS "organizationId", g."organization_id" AS "organizationid",
  g."prompt",
  g."params"->>'input_image_url' AS "inputImageUrl", g."params"->>'input_image_url' AS "inputimageurl",
  n."num_images" AS "numImages", n."num_images" AS "numimages",
  g."params"->>'size' AS "size",
  g."params"->>'format' AS "format",
  g."params"->>'style' AS "style",
  g."params"->>'quality' AS "quality",
  g."model",
  g."status",
  g."progress",
  g."message",
  g."created_at" AS "createdAt", g."created_at" AS "createdat",
  g."completed_at" AS "completedAt", g."completed_at" AS "completedat",
  -- Seconds, as document 004 stores metadata.generation_time_seconds.
  g."processing_time_ms" / 1000.0 AS "processingTime", g."processing_time_ms" / 1000.0 AS "processingtime"
FROM g
CROSS JOIN LATERAL (
  SELECT coalesce(
    CASE WHEN jsonb_typeof(g."params"->'num_images') = 'number' THEN (g."params"->>'num_images')::numeric::integer END,
    -- A job a backend reported on its own has no parameters: as document 003, the files it reported.
    (SELECT count(*)::integer FROM "public"."media_files" m WHERE m."generation_id" = g."id")
  ) AS "num_images"
) n;
--> statement-breakpoint
CREATE VIEW "documents"."image_files" AS
WITH f AS (
  SELECT m.*, g."model" AS "job_model", g."processing_time_ms" AS "job_processing_time_ms"
  FROM "public"."media_files" m
  JOIN "public"."generations" g ON g."id" = m."generation_id"
  WHERE g."kind" = 'image' AND g."deleted_at" IS NULL
)
SELECT
  f."id",
  f."generation_id" AS "generationId", f."generation_id" AS "generationid",
  regexp_replace(f."storage_key", '^.*/', '') AS "filename",
  f."storage_key" AS "s3Key", f."storage_key" AS "s3key",
  -- Sorami's own address for the file (served to its owner), never a URL that expires.
  '/api/media/' || f."storage_key" AS "fileUrl", '/api/media/' || f."storage_key" AS "fileurl",
  f."size_bytes" AS "fileSize", f."size_bytes" AS "filesize",
  f."format",
  f."width",
  f."height",
  -- As documents 003 and 004 fill it: the file's dimensions, WIDTHxHEIGHT.
  f."width" || 'x' || f."height" AS "aspectRatio", f."width" || 'x' || f."height" AS "aspectratio",
  coalesce(f."metadata", '{}'::jsonb) || jsonb_build_object(
    'description', f."description",
    'model', f."job_model",
    'generation_time', f."job_processing_time_ms" / 1000.0,
    'state', f."state"
  ) AS "metadata",
  f."created_at" AS "createdAt", f."created_at" AS "createdat"
FROM f;
--> statement-breakpoint
CREATE VIEW "documents"."video_generations" AS
WITH g AS (SELECT * FROM "public"."generations" WHERE "kind" = 'video' AND "deleted_at" IS NULL)
SELECT
  g."id",
  g."author_id" AS "authorId", g."author_id" AS "authorid",
  g."organization_id" AS "organizationId", g."organization_id" AS "organizationid",
  g."prompt",
  g."params"->>'aspect_ratio' AS "aspectRatio", g."params"->>'aspect_ratio' AS "aspectratio",
  n."duration_seconds" AS "durationSeconds", n."duration_seconds" AS "durationseconds",
  n."number_of_videos" AS "numberOfVideos", n."number_of_videos" AS "numberofvideos",
  g."params"->>'person_generation' AS "personGeneration", g."params"->>'person_generation' AS "persongeneration",
  g."model",
  g."status",
  g."progress",
  g."message",
  g."created_at" AS "createdAt", g."created_at" AS "createdat",
  g."completed_at" AS "completedAt", g."completed_at" AS "completedat",
  g."processing_time_ms" / 1000.0 AS "processingTime", g."processing_time_ms" / 1000.0 AS "processingtime"
FROM g
CROSS JOIN LATERAL (
  SELECT
    CASE WHEN jsonb_typeof(g."params"->'duration_seconds') = 'number'
      THEN (g."params"->>'duration_seconds')::numeric::integer END AS "duration_seconds",
    coalesce(
      CASE WHEN jsonb_typeof(g."params"->'number_of_videos') = 'number'
        THEN (g."params"->>'number_of_videos')::numeric::integer END,
      (SELECT count(*)::integer FROM "public"."media_files" m WHERE m."generation_id" = g."id")
    ) AS "number_of_videos"
) n;
--> statement-breakpoint
CREATE VIEW "documents"."video_files" AS
WITH f AS (
  SELECT m.*, g."model" AS "job_model", g."processing_time_ms" AS "job_processing_time_ms"
  FROM "public"."media_files" m
  JOIN "public"."generations" g ON g."id" = m."generation_id"
  WHERE g."kind" = 'video' AND g."deleted_at" IS NULL
)
SELECT
  f."id",
  f."generation_id" AS "generationId", f."generation_id" AS "generationid",
  regexp_replace(f."storage_key", '^.*/', '') AS "filename",
  f."storage_key" AS "s3Key", f."storage_key" AS "s3key",
  '/api/media/' || f."storage_key" AS "fileUrl", '/api/media/' || f."storage_key" AS "fileurl",
  f."size_bytes" AS "fileSize", f."size_bytes" AS "filesize",
  f."format",
  f."duration_seconds" AS "durationSeconds", f."duration_seconds" AS "durationseconds",
  f."width",
  f."height",
  f."width" || 'x' || f."height" AS "aspectRatio", f."width" || 'x' || f."height" AS "aspectratio",
  coalesce(f."metadata", '{}'::jsonb) || jsonb_build_object(
    'description', f."description",
    'model', f."job_model",
    'generation_time', f."job_processing_time_ms" / 1000.0,
    'state', f."state"
  ) AS "metadata",
  f."created_at" AS "createdAt", f."created_at" AS "createdat"
FROM f;
--> statement-breakpoint
CREATE VIEW "documents"."notifications" AS
WITH n AS (SELECT * FROM "public"."notifications")
SELECT
  n."id",
  n."user_id" AS "userId", n."user_id" AS "userid",
  n."type",
  n."title",
  n."message",
  n."metadata",
  n."read_at" IS NOT NULL AS "read",
  n."read_at" AS "readAt", n."read_at" AS "readat",
  n."created_at" AS "createdAt", n."created_at" AS "createdat"
FROM n;
