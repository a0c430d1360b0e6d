import { schema } from "@sorami/db";
import { isUserDisabled } from "@sorami/db/queries/sessions";
import { createPersonalOrganization } from "@sorami/db/queries/users";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError } from "better-auth/api";
import { bearer, organization } from "better-auth/plugins";
import { env } from "../env";
import { db } from "./db";
import { trustedOrigins } from "./http/origin";

/** What a disabled user reads when signing in. */
export const USER_DISABLED_MESSAGE = "This account has been disabled by an administrator";

function createAuth() {
  const e = env();
  return betterAuth({
    secret: e.authSecret,
    baseURL: e.webUrl,
    trustedOrigins: trustedOrigins(),
    database: drizzleAdapter(db(), {
      provider: "pg",
      schema: {
        user: schema.users,
        session: schema.sessions,
        account: schema.accounts,
        verification: schema.verifications,
        organization: schema.organizations,
        member: schema.members,
        invitation: schema.invitations,
      },
    }),
    emailAndPassword: { enabled: true, autoSignIn: true, minPasswordLength: 8, maxPasswordLength: 128 },
    user: {
      additionalFields: {
        role: { type: "string", defaultValue: "user", input: false },
        // Read with the session's user, so a cookie session of a disabled user is refused (session.ts).
        disabledAt: { type: "date", required: false, input: false },
      },
    },
    plugins: [bearer(), organization()],
    // Explicit: better-auth turns its CSRF/origin check off whenever TEST is set; ours never is.
    advanced: { disableOriginCheck: false },
    rateLimit: {
      enabled: e.authRateLimit.enabled,
      window: 60,
      max: e.authRateLimit.max,
      customRules: { "/sign-in/email": { window: 60, max: Math.min(e.authRateLimit.max, 10) } },
    },
    databaseHooks: {
      // A disabled user gets no session: sign-in answers 403 (better-auth's admin plugin bans the same way).
      session: {
        create: {
          before: async (session) => {
            if (await isUserDisabled(db(), session.userId)) {
              throw APIError.from("FORBIDDEN", { message: USER_DISABLED_MESSAGE, code: "USER_DISABLED" });
            }
          },
        },
      },
      user: {
        create: {
          before: async (user) => ({
            data: { ...user, role: e.adminEmails.includes(user.email.toLowerCase()) ? "admin" : "user" },
          }),
          // Every new user gets a personal organization; jobs are filed under it.
          after: async (user) => {
            await db().transaction((tx) => createPersonalOrganization(tx, user));
          },
        },
      },
    },
  });
}

type Auth = ReturnType<typeof createAuth>;
const g = globalThis as unknown as { __soramiAuth?: Auth };

export function auth(): Auth {
  g.__soramiAuth ??= createAuth();
  return g.__soramiAuth;
}
