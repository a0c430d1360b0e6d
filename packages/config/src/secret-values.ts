import type { GeneratedSecrets } from "./index";

/**
 * Environment variables whose values are credentials, by their names:
 * SERVICE_KEY, WEBHOOK_SECRET, METRICS_TOKEN, BETTER_AUTH_SECRET,
 * GEMINI_API_KEY, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN… including ones a
 * later provider adds, without anyone listing them.
 */
const SECRET_VARIABLE = /(^|_)(KEY|TOKEN|SECRET|PASSWORD|CREDENTIALS?)S?(_|$)/;

/** The password in a PostgreSQL URL, if any. */
export function databasePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every secret value a process knows, for its logger to scrub from every
 * line: the values of credential variables in its environment (comma lists
 * split, for rotations), the secrets generated into DATA_DIR, and the
 * database password.
 */
export function secretValues(
  env: Record<string, string | undefined>,
  generated: GeneratedSecrets | null,
  databaseUrl: string | undefined,
): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && SECRET_VARIABLE.test(name)) {
      values.add(value);
      for (const part of value.split(",")) {
        values.add(part.trim());
      }
    }
  }
  for (const value of Object.values(generated ?? {})) {
    values.add(value);
  }
  const password = databaseUrl ? databasePassword(databaseUrl) : undefined;
  if (password) {
    values.add(password);
  }
  return [...values].filter(Boolean);
}
