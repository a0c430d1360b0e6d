import { describe, expect, it } from "vitest";
import {
  codePointLength,
  codePointName,
  findForbiddenCharacter,
  findUnstorableText,
  isWellFormedText,
  JSON_MAX_DEPTH,
  storableText,
  truncateText,
} from "./text";

describe("findUnstorableText", () => {
  it("passes text in any script, emoji and combining marks", () => {
    expect(
      findUnstorableText({ prompt: "東京 · Москва · القاهرة · 👩‍👩‍👧 · e\u0301", list: ["a", { b: "c" }], n: 1 }),
    ).toBeNull();
  });

  it("names the field holding a NUL or an unpaired surrogate, at any depth", () => {
    expect(findUnstorableText({ prompt: "a\u0000b" })).toMatchObject({ path: "prompt" });
    expect(findUnstorableText({ data: { images: [{ description: "ok" }, { description: "\ud800" }] } })).toMatchObject({
      path: "data.images.1.description",
    });
    expect(findUnstorableText({ a: "\udfff" })).toMatchObject({ path: "a" });
    expect(findUnstorableText("\u0000")).toMatchObject({ path: "" });
  });

  it("refuses keys PostgreSQL could not store", () => {
    expect(findUnstorableText({ meta: { "k\u0000": 1 } })).toMatchObject({ path: "meta" });
  });

  it("refuses nesting deeper than JSON_MAX_DEPTH", () => {
    let deep: unknown = "x";
    for (let i = 0; i < JSON_MAX_DEPTH; i++) {
      deep = [deep];
    }
    expect(findUnstorableText(deep)).toBeNull();
    expect(findUnstorableText([deep])).toMatchObject({ reason: expect.stringContaining("nested") });
  });
});

/** Text of every shape a cut can land in: the sweep cuts each at every position. */
const SAMPLES = {
  emoji: "😀😃🎉👍🚀",
  "skin tones": "👍🏽👋🏿🧑🏻‍💻",
  "ZWJ families": "👩‍👩‍👧‍👦👨‍👨‍👧🏳️‍🌈",
  flags: "🇫🇷🇯🇵🇧🇷🏴󠁧󠁢󠁳󠁣󠁴󠁿",
  "combining marks": "e\u0301a\u0308o\u0302\u0323n\u0303Z\u0351\u0352\u0353\u0354",
  "RTL text": "مرحبا بالعالم · שלום עולם \u200Fאבג",
  "keycaps and variation selectors": "1️⃣#️⃣❤️☺︎",
  "astral CJK": "𠀀𠀁𪚥𩸽 漢字",
  mixed: "a😀b👩‍👩‍👧c🇫🇷d e\u0301 مرحبا 𠀀 end",
};

/** Where a string's grapheme clusters end (and 0), and its first and last cluster's lengths. */
function clusters(text: string): { cuts: Set<number>; first: number; last: number } {
  const cuts = new Set<number>([0]);
  const all = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)];
  for (const s of all) {
    cuts.add(s.index + s.segment.length);
  }
  return { cuts, first: all[0]?.segment.length ?? 0, last: all.at(-1)?.segment.length ?? 0 };
}

/** Between two code points: not between the two halves of a surrogate pair. */
function onCodePoint(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  return !(before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff);
}

describe("truncateText", () => {
  it("leaves text that fits untouched, ellipsis or not", () => {
    expect(truncateText("short", 5)).toBe("short");
    expect(truncateText("short", 5, { ellipsis: "…" })).toBe("short");
    expect(truncateText("", 0)).toBe("");
  });

  for (const [name, sample] of Object.entries(SAMPLES)) {
    const text = sample.repeat(3);
    it(`cuts ${name} at every position into a well-formed prefix ending on a character boundary`, () => {
      const { cuts, first, last } = clusters(text);
      for (let max = 0; max <= text.length + 1; max++) {
        const head = truncateText(text, max);
        expect(isWellFormedText(head), `max ${max}`).toBe(true);
        expect(text.startsWith(head), `max ${max}`).toBe(true);
        expect(head.length).toBeLessThanOrEqual(max);
        expect(onCodePoint(text, head.length), `max ${max}: cut inside a code point`).toBe(true);
        // Between clusters, unless the first cluster alone is longer than the room.
        if (max >= first) {
          expect(cuts.has(head.length), `max ${max}: cut inside a grapheme`).toBe(true);
          // …and as much as fits: the next cluster would not have.
          const next = Math.min(...[...cuts].filter((c) => c > head.length));
          expect(head === text || next > max, `max ${max}: could have kept more`).toBe(true);
        }

        const withEllipsis = truncateText(text, max, { ellipsis: "…" });
        expect(isWellFormedText(withEllipsis)).toBe(true);
        expect(withEllipsis.length).toBeLessThanOrEqual(Math.max(max, 0));
        if (withEllipsis !== text && withEllipsis.endsWith("…")) {
          expect(text.startsWith(withEllipsis.slice(0, -1))).toBe(true);
        }

        const tail = truncateText(text, max, { keep: "end" });
        expect(isWellFormedText(tail), `end, max ${max}`).toBe(true);
        expect(text.endsWith(tail), `end, max ${max}`).toBe(true);
        expect(tail.length).toBeLessThanOrEqual(max);
        expect(onCodePoint(text, text.length - tail.length), `end, max ${max}: cut inside a code point`).toBe(true);
        if (max >= last) {
          expect(cuts.has(text.length - tail.length), `end, max ${max}: cut inside a grapheme`).toBe(true);
        }
      }
    });
  }

  it("keeps as much as fits: the next whole character would not have", () => {
    const text = "ab👩‍👩‍👧cd";
    expect(truncateText(text, 9)).toBe("ab"); // the family is 8 units
    expect(truncateText(text, 10)).toBe("ab👩‍👩‍👧");
    expect(truncateText(text, 10, { ellipsis: "…" })).toBe("ab…");
    expect(truncateText(text, 4, { keep: "end" })).toBe("cd");
  });

  it("cuts a single cluster longer than the room between code points, never inside one", () => {
    const flood = `x${"\u0301".repeat(50)}😀`;
    const zalgo = `😀${"\u0301".repeat(50)}`; // one cluster: the emoji and its 50 marks
    for (let max = 1; max < zalgo.length; max++) {
      const head = truncateText(zalgo, max);
      expect(isWellFormedText(head)).toBe(true);
      expect(zalgo.startsWith(head)).toBe(true);
      // Not emptied: as many whole code points of the cluster as fit.
      expect(head.length).toBeGreaterThanOrEqual(max - 1);
    }
    expect(truncateText(flood, 10).length).toBe(10);
    expect(isWellFormedText(truncateText(`${"\u0301".repeat(20)}😀`, 21, { keep: "end" }))).toBe(true);
  });

  it("keeps each emoji whole in 4000 of them cut anywhere", () => {
    const text = "😀".repeat(4000);
    for (const max of [1, 79, 80, 81, 999, 1000, 1001, 7999]) {
      const head = truncateText(text, max, { ellipsis: "…" });
      expect(isWellFormedText(head)).toBe(true);
      expect(codePointLength(head.replace("…", "")) * 2).toBe(head.replace("…", "").length);
    }
  });
});

describe("findForbiddenCharacter (every person's text field)", () => {
  const noncharacters = [
    ...Array.from({ length: 0xfdef - 0xfdd0 + 1 }, (_, i) => 0xfdd0 + i),
    ...Array.from({ length: 17 }, (_, plane) => [plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff]).flat(),
  ];
  const controls = [
    ...Array.from({ length: 0x20 }, (_, i) => i).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d),
    ...Array.from({ length: 0xa0 - 0x7f }, (_, i) => 0x7f + i),
  ];

  it("refuses every noncharacter, in every plane, and names it", () => {
    expect(noncharacters).toHaveLength(32 + 34);
    for (const cp of noncharacters) {
      const found = findForbiddenCharacter(`a prompt ${String.fromCodePoint(cp)} here`);
      expect(found, codePointName(cp)).toMatchObject({ codePoint: cp, index: 9 });
      expect(found?.message).toContain(codePointName(cp));
      expect(found?.message).toContain("noncharacter");
    }
  });

  it("refuses C0 and C1 controls and DEL, but not tab, line feed or carriage return", () => {
    for (const cp of controls) {
      expect(findForbiddenCharacter(`x${String.fromCharCode(cp)}`), codePointName(cp)).toMatchObject({
        codePoint: cp,
        message: expect.stringContaining("control character"),
      });
    }
    expect(findForbiddenCharacter("line one\r\nline two\n\tindented")).toBeNull();
  });

  it("refuses unpaired surrogates, high or low, and passes pairs", () => {
    expect(findForbiddenCharacter("a\uD83D")).toMatchObject({
      codePoint: 0xd83d,
      message: expect.stringContaining("surrogate"),
    });
    expect(findForbiddenCharacter("\uDE00b")).toMatchObject({ codePoint: 0xde00 });
    expect(findForbiddenCharacter("\uDE00\uD83D")).toMatchObject({ index: 0 });
    expect(findForbiddenCharacter("\uD83D\uDE00")).toBeNull();
  });

  it("passes every sample script, emoji, combining marks, bidi marks and private use", () => {
    for (const sample of [...Object.values(SAMPLES), "\uE000\u{F0000}", "\u00A0\u00AD\u200B\u2028"]) {
      expect(findForbiddenCharacter(sample), sample).toBeNull();
    }
  });
});

describe("storableText and codePointLength", () => {
  it("replaces what PostgreSQL cannot store, and nothing else", () => {
    expect(storableText("a\u0000b\uD800c\uDC00d😀")).toBe("a\uFFFDb\uFFFDc\uFFFDd😀");
    expect(storableText(SAMPLES.mixed)).toBe(SAMPLES.mixed);
  });

  it("counts code points: an emoji is one, a family of four is seven", () => {
    expect(codePointLength("😀".repeat(4000))).toBe(4000);
    expect(codePointLength("👩‍👩‍👧‍👦")).toBe(7);
    expect(codePointLength("a\uD800b")).toBe(3);
  });
});
