CREATE SCHEMA "queue_health";
--> statement-breakpoint
CREATE TABLE "queue_health"."heartbeats" (
	"pool_id" text PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"pid" integer NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "heartbeats_queue_last_seen_idx" ON "queue_health"."heartbeats" USING btree ("queue","last_seen");