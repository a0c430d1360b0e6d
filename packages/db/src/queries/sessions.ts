import { eq, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { sessions, users } from "../schema";
import { prepared } from "./prepared";

/**
 * A sign-in session by its token, with the user it belongs to, in one query
 * (better-auth's tables; better-auth itself reads them in two).
 */
export async function findSessionWithUser(
  db: Tx,
  token: string,
): Promise<{ expiresAt: Date; user: { id: string; name: string; email: string; role: string } } | null> {
  const query = prepared(db, "session_with_user", () =>
    db
      .select({ expiresAt: sessions.expiresAt, id: users.id, name: users.name, email: users.email, role: users.role })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.token, sql.placeholder("token")))
      .limit(1)
      .prepare("session_with_user"),
  );
  const [row] = await query.execute({ token });
  if (!row) {
    return null;
  }
  const { expiresAt, ...user } = row;
  return { expiresAt, user };
}
