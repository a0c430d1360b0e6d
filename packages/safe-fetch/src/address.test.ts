import { describe, expect, it } from "vitest";
import { blockedReason, parseIp } from "./address";
import { checkTarget } from "./target";

describe("blockedReason", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "cloud metadata"],
    ["169.254.1.1", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["fd00:ec2::254", "cloud metadata"],
    ["fe80::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
    ["::ffff:7f00:1", "IPv4-mapped loopback"],
    ["::ffff:a00:1", "IPv4-mapped private"],
    ["[::ffff:169.254.169.254]", "IPv4-mapped cloud metadata"],
    ["64:ff9b::10.0.0.1", "NAT64 private"],
    ["2002:7f00:1::", "6to4 loopback"],
    ["2001:db8::1", "documentation"],
    ["100::1", "reserved"],
  ])("refuses %s (%s)", (address, reason) => {
    expect(blockedReason(address)).toBe(reason);
  });

  it.each([
    "8.8.8.8",
    "93.184.216.34",
    "172.32.0.1",
    "172.15.255.255",
    "100.128.0.1",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
  ])("lets the public address %s through", (address) => {
    expect(blockedReason(address)).toBeNull();
  });

  it("refuses what is not a canonical IP address", () => {
    for (const text of ["0177.0.0.1", "2130706433", "1.2.3", "1.2.3.256", "::g", "1::2::3", "example.com"]) {
      expect(blockedReason(text), text).toBe("not an IP address");
    }
  });

  it("parses IPv6 in every spelling to the same bytes", () => {
    const full = parseIp("0:0:0:0:0:ffff:7f00:1");
    expect(parseIp("::ffff:127.0.0.1")).toEqual(full);
    expect(parseIp("[::ffff:7f00:1]")).toEqual(full);
    expect(parseIp("fe80::1%eth0")?.[15]).toBe(1);
  });
});

describe("checkTarget (no network)", () => {
  const code = (url: string, allow: string[] = []) => {
    try {
      checkTarget(url, allow);
      return "ok";
    } catch (error) {
      return (error as { code: string }).code;
    }
  };

  it("refuses numeric spellings of loopback, since URLs normalize them to 127.0.0.1", () => {
    for (const url of ["http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/", "http://127.1/"]) {
      expect(code(url), url).toBe("blocked_address");
    }
  });

  it("refuses private, metadata and IPv6 literals, and localhost names", () => {
    for (const url of [
      "http://10.1.2.3/a.png",
      "http://172.16.5.4/a.png",
      "http://192.168.0.10/a.png",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]:8080/a.png",
      "http://[fd00::5]/a.png",
      "http://[::ffff:127.0.0.1]/a.png",
      "http://localhost:3000/a.png",
      "http://api.localhost/a.png",
    ]) {
      expect(code(url), url).toBe("blocked_address");
    }
  });

  it("refuses other schemes and credentials", () => {
    for (const url of ["ftp://example.com/a.png", "file:///etc/passwd", "data:image/png;base64,AAAA", "not a url"]) {
      expect(code(url), url).toBe("invalid_url");
    }
    expect(code("https://user:pw@example.com/a.png")).toBe("invalid_url");
  });

  it("accepts public hosts, and private ones only when the operator allowed that host (and port)", () => {
    expect(code("https://example.com/a.png")).toBe("ok");
    expect(code("http://93.184.216.34/a.png")).toBe("ok");
    expect(code("http://127.0.0.1:8080/a.png", ["127.0.0.1:8080"])).toBe("ok");
    expect(code("http://127.0.0.1:8081/a.png", ["127.0.0.1:8080"])).toBe("blocked_address");
    expect(code("http://10.0.0.7/a.png", ["10.0.0.7"])).toBe("ok");
    expect(code("http://[::1]:9000/a.png", ["[::1]:9000"])).toBe("ok");
  });

  it("names the address and why in its message", () => {
    expect(() => checkTarget("http://169.254.169.254/")).toThrow(/169\.254\.169\.254 \(cloud metadata address\)/);
  });
});
