import { describe, expect, it } from "vitest";
import { HTTP_REQUEST_ID_MAX_LENGTH } from "./limits";
import { acceptedRequestId, requestIdOf } from "./request-id";

describe("request ids", () => {
  it("keeps a caller's id made of id characters, up to the limit", () => {
    for (const id of [
      "0b7c3a52-4f0e-4c56-9a1e-2f0d3b8c1e77",
      "01HZX3J8Q9T5V6W7X8Y9Z0ABCD",
      "Root=1-5759e988-bd862e3fe1be46a994272793",
      "msg_2Kd8fX3vQ9",
      "a".repeat(HTTP_REQUEST_ID_MAX_LENGTH),
    ]) {
      expect(acceptedRequestId(id)).toBe(id);
      expect(requestIdOf(id)).toBe(id);
    }
  });

  it("replaces anything else with a fresh id instead of writing it into the logs", () => {
    for (const bad of [
      "",
      "a".repeat(HTTP_REQUEST_ID_MAX_LENGTH + 1),
      "id with spaces",
      'quote"and\\backslash',
      "line\nbreak",
      "<script>",
      "émoji😀",
      "a;b",
    ]) {
      expect(acceptedRequestId(bad)).toBeNull();
      const fresh = requestIdOf(bad);
      expect(fresh).not.toBe(bad);
      expect(acceptedRequestId(fresh)).toBe(fresh);
    }
    expect(requestIdOf(undefined)).not.toBe(requestIdOf(undefined));
  });
});
