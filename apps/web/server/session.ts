import { auth } from "./auth";

export type SessionUser = { id: string; name: string; email: string; role: string };

/** The signed-in user for a request (cookie or `Authorization: Bearer`), or null. */
export async function getSessionUser(headers: Headers): Promise<SessionUser | null> {
  const session = await auth().api.getSession({ headers });
  if (!session) return null;
  const u = session.user as { id: string; name: string; email: string; role?: string };
  return { id: u.id, name: u.name, email: u.email, role: u.role ?? "user" };
}
