import { findSessionWithUser } from "@sorami/db/queries/sessions";
import { auth } from "./auth";
import { db } from "./db";
import { credentialOf } from "./http/credential";

export type SessionUser = { id: string; name: string; email: string; role: string };
/** The sign-in session a request was authenticated by (a live stream ends with it). */
export type SessionRef = { id: string; expiresAt: Date };

export type Authenticated = { user: SessionUser; session: SessionRef; via: "bearer" | "cookie" };

/**
 * `Bearer <token>`: the session token sign-up and sign-in return (plain), or
 * the signed cookie value (`token.signature`, URL-encoded or not). Null for
 * any other scheme, an empty or malformed token.
 */
function bearerToken(header: string): { token: string; signed: boolean } | null {
  const match = /^bearer +([A-Za-z0-9\-._~+/%]+=*) *$/i.exec(header);
  const token = match?.[1];
  if (!token) {
    return null;
  }
  return { token, signed: /[.%]/.test(token) };
}

function fromBetterAuth(
  found: { user: Record<string, unknown>; session: { id: string; expiresAt: Date } } | null,
  via: Authenticated["via"],
): Authenticated | null {
  if (!found) {
    return null;
  }
  const u = found.user as { id: string; name: string; email: string; role?: string; disabledAt?: Date | null };
  // Disabling deletes the user's sessions; one created in a race with it is refused here.
  if (u.disabledAt) {
    return null;
  }
  return {
    user: { id: u.id, name: u.name, email: u.email, role: u.role ?? "user" },
    session: { id: found.session.id, expiresAt: new Date(found.session.expiresAt) },
    via,
  };
}

/**
 * A bearer request's session. A plain token is looked up directly, session
 * and user in one query, and accepted on the same terms as better-auth's
 * getSession: the session exists and has not expired. better-auth would also
 * sign the token and verify that signature (its bearer plugin) and read the
 * session and the user in two queries: on the status endpoint that was three
 * quarters of the time spent (see bench/). A session that has expired
 * (better-auth deletes it) or is due for its extension (better-auth writes
 * the new expiry), and a signed token, go through better-auth, given the
 * Authorization header alone: if it is not a session, better-auth must not
 * find the cookie instead. Nothing is cached: a session deleted by sign-out
 * is refused on the next request.
 */
async function bearerSession(header: string): Promise<Authenticated | null> {
  const parsed = bearerToken(header);
  if (!parsed) {
    return null;
  }
  if (!parsed.signed) {
    const found = await findSessionWithUser(db(), parsed.token);
    if (!found) {
      return null;
    }
    const { expiresIn, updateAge } = (await auth().$context).sessionConfig;
    const expiresAt = found.expiresAt.getTime();
    const now = Date.now();
    const dueForExtension = expiresAt - expiresIn * 1000 + updateAge * 1000 <= now;
    if (expiresAt > now && !dueForExtension) {
      return { user: found.user, session: { id: found.sessionId, expiresAt: found.expiresAt }, via: "bearer" };
    }
  }
  const alone = new Headers({ authorization: header });
  return fromBetterAuth(await auth().api.getSession({ headers: alone }), "bearer");
}

/** The request's user and session, by its one credential (see `credentialOf`), or null. */
export async function authenticate(headers: Headers): Promise<Authenticated | null> {
  switch (credentialOf(headers)) {
    case "bearer":
      return bearerSession(headers.get("authorization") ?? "");
    case "cookie":
      return fromBetterAuth(await auth().api.getSession({ headers }), "cookie");
    default:
      return null;
  }
}

/** The signed-in user for a request (cookie or `Authorization: Bearer`), or null. */
export async function getSessionUser(headers: Headers): Promise<SessionUser | null> {
  return (await authenticate(headers))?.user ?? null;
}
