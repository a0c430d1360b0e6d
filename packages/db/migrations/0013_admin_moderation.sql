CREATE TABLE "admin_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"admin_id" text,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"detail" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "moderation_decisions" (
	"id" text PRIMARY KEY NOT NULL,
	"media_file_id" text,
	"generation_id" text NOT NULL,
	"storage_key" text NOT NULL,
	"owner_id" text NOT NULL,
	"nsfw_score" real,
	"decision" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "generator"."provider_calls" (
	"id" serial PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"provider" text NOT NULL,
	"model" text,
	"request_id" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"duration_ms" integer,
	"outcome" text NOT NULL,
	"error_kind" text,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "generator"."jobs" ADD COLUMN "error_kind" text;--> statement-breakpoint
ALTER TABLE "generations" ADD COLUMN "error_kind" text;--> statement-breakpoint
ALTER TABLE "generations" ADD COLUMN "retry_of" text;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "moderation_state" text DEFAULT 'unscreened' NOT NULL;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "nsfw_score" real;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "moderation_scores" jsonb;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "screened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "media_files" ADD COLUMN "blurred_key" text;--> statement-breakpoint
ALTER TABLE "admin_actions" ADD CONSTRAINT "admin_actions_admin_id_users_id_fk" FOREIGN KEY ("admin_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_decisions" ADD CONSTRAINT "moderation_decisions_media_file_id_media_files_id_fk" FOREIGN KEY ("media_file_id") REFERENCES "public"."media_files"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_decisions" ADD CONSTRAINT "moderation_decisions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_actions_target_idx" ON "admin_actions" USING btree ("target_type","target_id","created_at");--> statement-breakpoint
CREATE INDEX "admin_actions_created_idx" ON "admin_actions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "moderation_decisions_file_idx" ON "moderation_decisions" USING btree ("media_file_id");--> statement-breakpoint
CREATE INDEX "moderation_decisions_decided_idx" ON "moderation_decisions" USING btree ("decided_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "provider_calls_job_idx" ON "generator"."provider_calls" USING btree ("job_id","started_at");--> statement-breakpoint
CREATE INDEX "generations_created_idx" ON "generations" USING btree ("created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "generations_completed_idx" ON "generations" USING btree ("completed_at") WHERE "generations"."completed_at" is not null;--> statement-breakpoint
CREATE INDEX "generations_retry_of_idx" ON "generations" USING btree ("retry_of") WHERE "generations"."retry_of" is not null;--> statement-breakpoint
CREATE INDEX "media_files_blurred_key_idx" ON "media_files" USING btree ("blurred_key") WHERE "media_files"."blurred_key" is not null;--> statement-breakpoint
CREATE INDEX "media_files_moderation_queue_idx" ON "media_files" USING btree ("moderation_state","created_at","id") WHERE "media_files"."moderation_state" in ('pending', 'held');--> statement-breakpoint
CREATE INDEX "webhook_events_job_idx" ON "webhook_events" USING btree ("job_id","received_at");