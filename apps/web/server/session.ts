import { findSessionWithUser } from "@sorami/db/queries/sessions";
import { auth } from "./auth";
import { db } from "./db";

export type SessionUser = { id: string; name: string; email: string; role: string };

/**
 * The raw session token of an `Authorization: Bearer` header, as sign-up and
 * sign-in return it; null for anything else. A signed token (`token.signature`)
 * or a cookie is left to better-auth, which checks the signature.
 */
function plainBearerToken(headers: Headers): string | null {
  const header = headers.get("authorization");
  if (header?.slice(0, 7).toLowerCase() !== "bearer ") {
    return null;
  }
  const token = header.slice(7).trim();
  return token && !/[.%]/.test(token) ? token : null;
}

/**
 * The signed-in user for a request (cookie or `Authorization: Bearer`), or null.
 *
 * A plain bearer token is looked up directly, session and user in one query,
 * and accepted on the same terms as better-auth's getSession: the session
 * exists and has not expired. better-auth would also sign the token and
 * verify that signature (its bearer plugin) and read the session and the
 * user in two queries: on the status endpoint that was three quarters of
 * the time spent (see bench/). A session that has expired (better-auth deletes
 * it) or is due for its extension (better-auth writes the new expiry) goes
 * through better-auth, so both happen exactly as before. Nothing is cached:
 * a session deleted by sign-out is refused on the next request.
 */
export async function getSessionUser(headers: Headers): Promise<SessionUser | null> {
  const token = plainBearerToken(headers);
  if (token) {
    const found = await findSessionWithUser(db(), token);
    if (!found) {
      return null;
    }
    const { expiresIn, updateAge } = (await auth().$context).sessionConfig;
    const expiresAt = found.expiresAt.getTime();
    const now = Date.now();
    const dueForExtension = expiresAt - expiresIn * 1000 + updateAge * 1000 <= now;
    if (expiresAt > now && !dueForExtension) {
      return found.user;
    }
  }
  const session = await auth().api.getSession({ headers });
  if (!session) {
    return null;
  }
  const u = session.user as { id: string; name: string; email: string; role?: string };
  return { id: u.id, name: u.name, email: u.email, role: u.role ?? "user" };
}
