ALTER TABLE "generator"."jobs" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "generator"."jobs" ADD COLUMN "provider" text;--> statement-breakpoint
ALTER TABLE "generator"."jobs" ADD COLUMN "remote_handle" jsonb;--> statement-breakpoint
ALTER TABLE "generator"."jobs" ADD COLUMN "remote_status" text;--> statement-breakpoint
ALTER TABLE "generator"."jobs" ADD COLUMN "remote_submissions" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "generator"."jobs" ADD COLUMN "fallbacks" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "generations" ADD COLUMN "provider" text;--> statement-breakpoint
ALTER TABLE "generations" ADD COLUMN "reported_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "generations_author_kind_model_created_idx" ON "generations" USING btree ("author_id","kind","model","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);