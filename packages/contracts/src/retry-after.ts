/**
 * The seconds a `Retry-After` header asks to wait (RFC 9110: delay-seconds
 * or an HTTP date; a fraction is accepted, as some APIs send one), or null
 * when it is absent or unreadable. A date in the past is 0. Callers cap it
 * to what they will honour.
 */
export function parseRetryAfterSeconds(value: string | null | undefined, now = Date.now()): number | null {
  const text = value?.trim();
  if (!text) {
    return null;
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Number(text);
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, (at - now) / 1000);
}
