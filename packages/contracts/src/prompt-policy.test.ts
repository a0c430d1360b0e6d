import { describe, expect, it } from "vitest";
import {
  EMPTY_PROMPT_POLICY,
  findPolicyBreach,
  foldForPolicy,
  PROMPT_POLICY_LINE_MAX_LENGTH,
  PromptPolicyError,
  parsePromptPolicy,
} from "./prompt-policy";

const policy = parsePromptPolicy(
  [
    "# words, phrases and patterns",
    "",
    "nude",
    "  Blood Bath  ",
    "naïve",
    "c++",
    "\\#forbidden",
    "\\/etc",
    "/\\bgor(e|y)\\b/i",
    "/^SHOUT$/",
  ].join("\n"),
);

describe("parsePromptPolicy: words", () => {
  it("counts words and patterns, not comments and blank lines", () => {
    expect(policy.size).toBe(8);
  });

  it.each([
    ["a nude figure", true],
    ["NUDE", true],
    ["Nudé, on a beach", true],
    ["ｎｕｄｅ (full width)", true],
    ["n\u200Bude with a zero-width space", true],
    ["nu\u00ADde with a soft hyphen", true],
    ["denuded trees", false],
    ["nudes", false],
    ["nude_1", true],
    ["nude1", false],
    ["a blood   bath", true],
    ["a blood\nbath", true],
    ["a bloodbath", false],
    ["naive art", true],
    ["NAÏVE art", true],
    ["learn c++ today", true],
    ["the #forbidden tag", true],
    ["see /etc/passwd", true],
    ["a landscape at dawn", false],
  ])("%j → %s", (text, expected) => {
    expect(policy.matches(text)).toBe(expected);
  });
});

describe("parsePromptPolicy: patterns", () => {
  it("matches with the flags given", () => {
    expect(policy.matches("so much GORE")).toBe(true);
    expect(policy.matches("gory details")).toBe(true);
    expect(policy.matches("Gorey")).toBe(false);
    expect(policy.matches("SHOUT")).toBe(true);
    expect(policy.matches("shout")).toBe(false);
  });

  it("sees NFKC text without format characters, case kept", () => {
    expect(policy.matches("ＳＨＯＵＴ")).toBe(true);
    expect(policy.matches("SH\u200BOUT")).toBe(true);
  });

  it("runs as unicode patterns", () => {
    const p = parsePromptPolicy("/^\\p{Lu}{3}$/");
    expect(p.matches("ÉTÉ")).toBe(true);
    expect(p.matches("été")).toBe(false);
  });

  it("is not stateful across calls", () => {
    const p = parsePromptPolicy("/cat/i");
    expect([p.matches("cat"), p.matches("cat"), p.matches("cat")]).toEqual([true, true, true]);
  });
});

describe("parsePromptPolicy: refusals name the line", () => {
  it.each([
    ["ok\n/(unclosed/", 2, /invalid regular expression/],
    ["/cat/g", 1, /flag "g" is not allowed/],
    ["/cat/y", 1, /flag "y" is not allowed/],
    ["ok\nok\n/missing end", 3, /pattern is written \/pattern\/flags/],
    ["#\n---", 2, /at least one letter or digit/],
    [`${"a".repeat(PROMPT_POLICY_LINE_MAX_LENGTH + 1)}`, 1, /longer than/],
  ])("%j → line %i", (text, line, message) => {
    let thrown: unknown;
    try {
      parsePromptPolicy(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PromptPolicyError);
    expect((thrown as PromptPolicyError).line).toBe(line);
    expect((thrown as Error).message).toMatch(new RegExp(`^line ${line}: `));
    expect((thrown as Error).message).toMatch(message);
  });

  it("counts lines the way editors do, whatever the line ending", () => {
    expect(() => parsePromptPolicy("a\r\nb\r\n/(/")).toThrow(/^line 3:/);
  });
});

describe("findPolicyBreach", () => {
  it("names the first field that breaks the policy", () => {
    expect(findPolicyBreach(policy, { prompt: "a cat", negative_prompt: "nude" })).toBe("negative_prompt");
    expect(findPolicyBreach(policy, { prompt: "nude", negative_prompt: "nude" })).toBe("prompt");
    expect(findPolicyBreach(policy, { prompt: "a cat" })).toBeNull();
    expect(findPolicyBreach(policy, { prompt: "a cat", style: "nude" })).toBeNull();
  });

  it("an empty policy refuses nothing", () => {
    expect(findPolicyBreach(EMPTY_PROMPT_POLICY, { prompt: "nude" })).toBeNull();
    expect(parsePromptPolicy("# nothing yet\n").size).toBe(0);
    expect(parsePromptPolicy("").matches("anything")).toBe(false);
  });
});

describe("foldForPolicy", () => {
  it("folds case, accents, width and invisible characters", () => {
    expect(foldForPolicy("Ｃafé\u200D")).toBe("cafe");
  });
});
