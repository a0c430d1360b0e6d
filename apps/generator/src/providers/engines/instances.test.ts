import { describe, expect, it } from "vitest";
import { comfyInstancesFromEnv } from "../comfyui/index";
import { EngineConfigError, parseHeaderLine, parseInstances } from "./instances";

describe("engine instance lists", () => {
  it("splits COMFYUI_URLS, trims trailing slashes, and keeps credentials out of the name", () => {
    const instances = comfyInstancesFromEnv({
      COMFYUI_URLS: " http://gpu-1:8188/ , https://proxy:p%40ss@gpu-2.example.com/comfy/",
      COMFYUI_AUTH_HEADER_1: "X-Api-Key: abc123",
    });
    expect(instances).toEqual([
      { name: "http://gpu-1:8188", baseUrl: "http://gpu-1:8188", headers: { "X-Api-Key": "abc123" } },
      {
        name: "https://gpu-2.example.com/comfy",
        baseUrl: "https://gpu-2.example.com/comfy",
        headers: { Authorization: `Basic ${Buffer.from("proxy:p@ss").toString("base64")}` },
      },
    ]);
  });

  it("applies a default user:password (A1111's --api-auth) to URLs without their own", () => {
    const [own, shared] = parseInstances({
      variable: "A1111_URLS",
      urls: "http://u:v@a:7860,http://b:7860",
      defaultBasicAuth: { variable: "A1111_API_AUTH", value: "sorami:pa:ss" },
    });
    expect(own?.headers.Authorization).toBe(`Basic ${Buffer.from("u:v").toString("base64")}`);
    expect(shared?.headers.Authorization).toBe(`Basic ${Buffer.from("sorami:pa:ss").toString("base64")}`);
  });

  it("refuses what is not a base URL, repeats, and malformed headers, naming the variable", () => {
    const bad = (urls: string, extra: Record<string, string> = {}) => {
      try {
        comfyInstancesFromEnv({ COMFYUI_URLS: urls, ...extra });
      } catch (error) {
        expect(error).toBeInstanceOf(EngineConfigError);
        return (error as Error).message;
      }
      throw new Error("expected a refusal");
    };
    expect(bad("gpu-1:8188")).toBe("COMFYUI_URLS: entry 1 must be an http(s) URL");
    expect(bad("http://a:1,not a url")).toBe("COMFYUI_URLS: entry 2 is not a URL");
    expect(bad("http://a:1/?x=1")).toBe("COMFYUI_URLS: entry 1 must be a base URL, without ?query or #fragment");
    expect(bad("http://a:1/,http://a:1")).toBe("COMFYUI_URLS: entry 2 repeats http://a:1");
    expect(bad("http://a:1", { COMFYUI_AUTH_HEADER_1: "Bearer abc" })).toBe(
      "COMFYUI_AUTH_HEADER_1: must be one header written as `Name: value`",
    );
    expect(() =>
      parseInstances({
        variable: "A1111_URLS",
        urls: "http://a",
        defaultBasicAuth: { variable: "A1111_API_AUTH", value: "x" },
      }),
    ).toThrow("A1111_API_AUTH: must be written as user:password");
    expect(comfyInstancesFromEnv({})).toEqual([]);
  });

  it("reads a header line", () => {
    expect(parseHeaderLine("V", "Authorization:  Bearer a b ")).toEqual(["Authorization", "Bearer a b"]);
  });
});
