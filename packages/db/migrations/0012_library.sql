-- Trigram search of prompts (the library's search, partial words and scripts without spaces).
-- pg_trgm is a contrib extension marked trusted (PostgreSQL 13+): a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "collection_items" (
	"id" text PRIMARY KEY NOT NULL,
	"collection_id" text NOT NULL,
	"generation_id" text NOT NULL,
	"media_file_id" text,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "favorites" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"generation_id" text NOT NULL,
	"media_file_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "share_links" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"generation_id" text,
	"collection_id" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "share_links_one_target_ck" CHECK (("share_links"."generation_id" is null) <> ("share_links"."collection_id" is null))
);
--> statement-breakpoint
ALTER TABLE "collection_items" ADD CONSTRAINT "collection_items_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_items" ADD CONSTRAINT "collection_items_generation_id_generations_id_fk" FOREIGN KEY ("generation_id") REFERENCES "public"."generations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_items" ADD CONSTRAINT "collection_items_media_file_id_media_files_id_fk" FOREIGN KEY ("media_file_id") REFERENCES "public"."media_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collections" ADD CONSTRAINT "collections_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_generation_id_generations_id_fk" FOREIGN KEY ("generation_id") REFERENCES "public"."generations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_media_file_id_media_files_id_fk" FOREIGN KEY ("media_file_id") REFERENCES "public"."media_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_links" ADD CONSTRAINT "share_links_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_links" ADD CONSTRAINT "share_links_generation_id_generations_id_fk" FOREIGN KEY ("generation_id") REFERENCES "public"."generations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_links" ADD CONSTRAINT "share_links_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "collection_items_generation_uq" ON "collection_items" USING btree ("collection_id","generation_id") WHERE "collection_items"."media_file_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "collection_items_file_uq" ON "collection_items" USING btree ("collection_id","media_file_id") WHERE "collection_items"."media_file_id" is not null;--> statement-breakpoint
CREATE INDEX "collection_items_collection_generation_idx" ON "collection_items" USING btree ("collection_id","generation_id");--> statement-breakpoint
CREATE INDEX "collection_items_generation_idx" ON "collection_items" USING btree ("generation_id");--> statement-breakpoint
CREATE INDEX "collection_items_file_idx" ON "collection_items" USING btree ("media_file_id");--> statement-breakpoint
CREATE INDEX "collections_owner_created_idx" ON "collections" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "favorites_generation_owner_uq" ON "favorites" USING btree ("generation_id","owner_id") WHERE "favorites"."media_file_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "favorites_file_owner_uq" ON "favorites" USING btree ("media_file_id","owner_id") WHERE "favorites"."media_file_id" is not null;--> statement-breakpoint
CREATE INDEX "favorites_owner_generation_idx" ON "favorites" USING btree ("owner_id","generation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "share_links_token_hash_uq" ON "share_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "share_links_owner_created_idx" ON "share_links" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "share_links_generation_idx" ON "share_links" USING btree ("generation_id");--> statement-breakpoint
CREATE INDEX "share_links_collection_idx" ON "share_links" USING btree ("collection_id");--> statement-breakpoint
CREATE INDEX "generations_search_fts_idx" ON "generations" USING gin (to_tsvector('simple'::regconfig, regexp_replace(("generations"."prompt" || ' ' || coalesce("generations"."params" ->> 'negative_prompt', '')), '([\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f])', ' \1 ', 'g')));--> statement-breakpoint
CREATE INDEX "generations_search_trgm_idx" ON "generations" USING gin (("generations"."prompt" || ' ' || coalesce("generations"."params" ->> 'negative_prompt', '')) gin_trgm_ops);