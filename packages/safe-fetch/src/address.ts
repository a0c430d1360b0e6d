/**
 * Which IP addresses Sorami refuses to fetch from: everything that is not a
 * plain public unicast address. Pure functions, no I/O, so the web app can
 * use them at submit time as well.
 */

type Rule = { bytes: number[]; bits: number; label: string };

function rule(cidr: string, label: string): Rule {
  const [address = "", bits = ""] = cidr.split("/");
  const bytes = parseIp(address);
  if (!bytes) {
    throw new Error(`bad CIDR ${cidr}`);
  }
  return { bytes: [...bytes], bits: Number(bits), label };
}

/** IPv4 ranges that are never fetched (RFC 6890 special-purpose blocks, private, metadata). */
const V4_RULES: Rule[] = [
  rule("0.0.0.0/8", "unspecified"),
  rule("10.0.0.0/8", "private"),
  rule("100.64.0.0/10", "carrier-grade NAT"),
  rule("127.0.0.0/8", "loopback"),
  // Before link-local, for the clearer label: AWS, GCP, Azure and others serve credentials here.
  rule("169.254.169.254/32", "cloud metadata"),
  rule("169.254.0.0/16", "link-local"),
  rule("172.16.0.0/12", "private"),
  rule("192.0.0.0/24", "IETF protocol"),
  rule("192.0.2.0/24", "documentation"),
  rule("192.88.99.0/24", "6to4 relay"),
  rule("192.168.0.0/16", "private"),
  rule("198.18.0.0/15", "benchmarking"),
  rule("198.51.100.0/24", "documentation"),
  rule("203.0.113.0/24", "documentation"),
  rule("224.0.0.0/4", "multicast"),
  rule("240.0.0.0/4", "reserved"),
];

/** IPv6 ranges refused inside global unicast (2000::/3); everything outside it is refused too. */
const V6_RULES: Rule[] = [
  rule("fd00:ec2::254/128", "cloud metadata"),
  rule("fc00::/7", "unique-local"),
  rule("fe80::/10", "link-local"),
  rule("fec0::/10", "site-local"),
  rule("ff00::/8", "multicast"),
  rule("::/128", "unspecified"),
  rule("::1/128", "loopback"),
  rule("2001:db8::/32", "documentation"),
  rule("2001::/23", "IETF protocol"),
  rule("3fff::/20", "documentation"),
];

/** IPv6 prefixes that carry an IPv4 address, which is then judged by the IPv4 rules. */
const V6_EMBEDDING_V4: { rule: Rule; offset: number; name: string }[] = [
  { rule: rule("::ffff:0:0/96", ""), offset: 12, name: "IPv4-mapped" },
  { rule: rule("::/96", ""), offset: 12, name: "IPv4-compatible" },
  { rule: rule("64:ff9b::/96", ""), offset: 12, name: "NAT64" },
  { rule: rule("2002::/16", ""), offset: 2, name: "6to4" },
];

function matches(bytes: Uint8Array, r: Rule): boolean {
  if (bytes.length !== r.bytes.length) {
    return false;
  }
  let bits = r.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((r.bytes[i] ?? 0) & mask)) {
      return false;
    }
  }
  return true;
}

function parseV4(text: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) {
    return null;
  }
  const parts = m.slice(1).map(Number);
  // Canonical dotted decimal only: "0177.0.0.1" style octal is refused here (URLs are normalized before).
  if (parts.some((p, i) => p > 255 || String(p) !== m[i + 1])) {
    return null;
  }
  return Uint8Array.from(parts);
}

function parseV6(text: string): Uint8Array | null {
  const bare = text
    .replace(/^\[|\]$/g, "")
    .replace(/%.*$/, "")
    .toLowerCase();
  if (!bare.includes(":") || /[^0-9a-f:.]/.test(bare)) {
    return null;
  }
  const halves = bare.split("::");
  if (halves.length > 2) {
    return null;
  }
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const words: number[] = [];
  const push = (list: string[], isLast: boolean): boolean => {
    for (const [i, g] of list.entries()) {
      if (isLast && i === list.length - 1 && g.includes(".")) {
        const v4 = parseV4(g);
        if (!v4) {
          return false;
        }
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(g)) {
          return false;
        }
        words.push(Number.parseInt(g, 16));
      }
    }
    return true;
  };
  if (!push(head, halves.length === 1)) {
    return null;
  }
  const headWords = words.length;
  if (!push(tail, true)) {
    return null;
  }
  const tailWords = words.length - headWords;
  if (halves.length === 1 ? words.length !== 8 : headWords + tailWords > 7) {
    return null;
  }
  const full = [...words.slice(0, headWords), ...Array(8 - words.length).fill(0), ...words.slice(headWords)];
  const bytes = new Uint8Array(16);
  full.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return bytes;
}

/** Bytes of an IPv4 (4) or IPv6 (16) address in canonical text form, with or without brackets; else null. */
export function parseIp(text: string): Uint8Array | null {
  return parseV4(text) ?? parseV6(text);
}

/**
 * Why an address must not be fetched from ("loopback", "private",
 * "cloud metadata", …), or null for a public unicast address. Anything that
 * is not an IP address is refused as such.
 */
export function blockedReason(address: string): string | null {
  const bytes = parseIp(address);
  if (!bytes) {
    return "not an IP address";
  }
  if (bytes.length === 4) {
    return V4_RULES.find((r) => matches(bytes, r))?.label ?? null;
  }
  for (const embed of V6_EMBEDDING_V4) {
    if (!matches(bytes, embed.rule)) {
      continue;
    }
    // :: and ::1 sit inside ::/96 but are their own cases.
    if (embed.name === "IPv4-compatible") {
      const special = V6_RULES.find((r) => r.bits === 128 && matches(bytes, r));
      if (special) {
        return special.label;
      }
    }
    const v4 = bytes.slice(embed.offset, embed.offset + 4);
    const inner = V4_RULES.find((r) => matches(v4, r))?.label;
    return inner ? `${embed.name} ${inner}` : null;
  }
  const refused = V6_RULES.find((r) => matches(bytes, r));
  if (refused) {
    return refused.label;
  }
  // Only global unicast (2000::/3) is fetched.
  return ((bytes[0] ?? 0) & 0xe0) === 0x20 ? null : "reserved";
}
