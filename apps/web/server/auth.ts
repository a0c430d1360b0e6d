import { randomUUID } from "node:crypto";
import { schema } from "@sorami/db";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { bearer, organization } from "better-auth/plugins";
import { env } from "../env";
import { db } from "./db";
import { trustedOrigins } from "./http/origin";

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
    user: { additionalFields: { role: { type: "string", defaultValue: "user", input: false } } },
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
      user: {
        create: {
          before: async (user) => ({
            data: { ...user, role: e.adminEmails.includes(user.email.toLowerCase()) ? "admin" : "user" },
          }),
          // Every new user gets a personal organization; jobs are filed under it.
          after: async (user) => {
            const orgId = randomUUID();
            await db().transaction(async (tx) => {
              await tx.insert(schema.organizations).values({
                id: orgId,
                name: `${user.name}'s workspace`,
                slug: `personal-${user.id}`.toLowerCase(),
              });
              await tx
                .insert(schema.members)
                .values({ id: randomUUID(), organizationId: orgId, userId: user.id, role: "owner" });
            });
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
