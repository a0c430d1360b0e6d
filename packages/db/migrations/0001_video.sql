ALTER TABLE "generator"."jobs" ADD COLUMN "input_key" text;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "duration_seconds" real;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "poster_key" text;--> statement-breakpoint
CREATE INDEX "media_files_poster_key_idx" ON "media_files" USING btree ("poster_key");