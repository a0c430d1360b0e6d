-- A sign-in session that ends (signed out, revoked, expired, or its user removed: the delete
-- cascades) is announced on sorami_session_ended (SESSION_ENDED_CHANNEL in queries/sessions.ts),
-- so every web process ends the live event streams it opened with that session at once.
CREATE FUNCTION "public"."sorami_session_ended"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sorami_session_ended', json_build_object('s', OLD.id, 'u', OLD.user_id)::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "sessions_ended_on_delete" AFTER DELETE ON "public"."sessions"
  FOR EACH ROW EXECUTE FUNCTION "public"."sorami_session_ended"();
--> statement-breakpoint
-- better-auth moves expires_at forward when it extends a session; moved into the past, the session is over.
CREATE TRIGGER "sessions_ended_on_expiry" AFTER UPDATE OF "expires_at" ON "public"."sessions"
  FOR EACH ROW WHEN (NEW.expires_at <= now()) EXECUTE FUNCTION "public"."sorami_session_ended"();
