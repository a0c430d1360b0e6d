ALTER TABLE "generations" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "generations" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "thumbnail_key" text;--> statement-breakpoint
CREATE INDEX "media_files_thumbnail_key_idx" ON "media_files" USING btree ("thumbnail_key");