DROP INDEX "generations_author_created_idx";--> statement-breakpoint
DROP INDEX "generations_author_kind_created_idx";--> statement-breakpoint
DROP INDEX "generations_author_updated_idx";--> statement-breakpoint
DROP INDEX "notifications_user_created_idx";--> statement-breakpoint
CREATE INDEX "generations_author_created_idx" ON "generations" USING btree ("author_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "generations_author_kind_created_idx" ON "generations" USING btree ("author_id","kind","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "generations_author_updated_idx" ON "generations" USING btree ("author_id","updated_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "notifications_user_created_idx" ON "notifications" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);