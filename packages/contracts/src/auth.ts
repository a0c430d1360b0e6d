import { z } from "zod";

/**
 * The answers of better-auth's endpoints that Sorami's clients read (its own
 * format, served under /api/auth/*): only the fields relied on are checked.
 */

const authUserSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });

/** POST /api/auth/sign-up/email, POST /api/auth/sign-in/email: the new session's bearer token and its user. */
export const authSignedInSchema = z.object({ token: z.string().min(1), user: authUserSchema });
/** GET /api/auth/get-session: the session and its user, or null without one. */
export const authSessionSchema = z.object({ session: z.object({ id: z.string() }), user: authUserSchema }).nullable();
/** POST /api/auth/sign-out */
export const authSignedOutSchema = z.object({ success: z.literal(true) });

/** POST /api/auth/update-user, /api/auth/revoke-session, /api/auth/revoke-sessions */
export const authStatusSchema = z.object({ status: z.boolean() });
/** POST /api/auth/organization/create and /update: the organization (better-auth's organization plugin). */
export const authOrganizationSchema = z.object({ id: z.string(), name: z.string(), slug: z.string() });
