import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";
import { createDb } from "./client";
import { startEmbeddedPostgres } from "./embedded";
import { DB_RECONNECT_BACKOFF } from "./gate";
import { listen } from "./listen";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A "database" that accepts every connection and drops it at once, counting them (a server going away). */
async function droppingServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    n++;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `postgres://u:p@127.0.0.1:${port}/db${Math.random().toString(36).slice(2)}`,
    connections: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * A port that forwards to PostgreSQL while up; while down it drops every
 * connection at once and cuts the open ones (as a database going away does).
 */
async function switchableEntrance(target: number) {
  let isUp = true;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!isUp) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target, "127.0.0.1");
    open.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.pipe(upstream).on("error", end).on("close", end);
    upstream.pipe(client).on("error", end).on("close", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    down: () => {
      isUp = false;
      for (const socket of open) {
        socket.destroy();
      }
    },
    up: () => {
      isUp = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("backoffDelay", () => {
  it("starts at the first delay, doubles, never exceeds the cap, and jitters only downwards", () => {
    const b = { firstMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 50].map((f) => backoffDelay(f, b, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    for (let f = 1; f < 40; f++) {
      const d = backoffDelay(f, b);
      expect(d).toBeLessThanOrEqual(1000);
      expect(d).toBeGreaterThanOrEqual(Math.min(1000, 100 * 2 ** (f - 1)) * 0.8 - 1);
    }
  });
});

describe("the connection gate", () => {
  it("turns a flood of queries against a dead database into a few connection attempts", async () => {
    const dead = await droppingServer();
    const { pool, close } = createDb(dead.url, { max: 4 });
    let failed = 0;
    // 20 queries a second for 3 s, as a busy process would make (queue polls, requests, heartbeats).
    for (let i = 0; i < 60; i++) {
      void pool.query("select 1").catch(() => failed++);
      await sleep(50);
    }
    await sleep(100);
    expect(failed).toBe(60);
    // 250 ms, 500, 1 s, 2 s… after the first: about 5 attempts in 3 s (without the gate: 60).
    expect(dead.connections()).toBeLessThanOrEqual(8);
    expect(dead.connections()).toBeGreaterThanOrEqual(2);
    await close();
    await dead.close();
  });

  it("a LISTEN client backs off the same way", async () => {
    const dead = await droppingServer();
    const listener = listen(dead.url, "gate_test", { applicationName: "gate-test", onMessage: () => {} });
    await sleep(3000);
    expect(dead.connections()).toBeLessThanOrEqual(8);
    await listener.stop();
    await dead.close();
  });

  const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-gate-test-"));
  chmodSync(dir, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lets the process reach the database again within the cap once it is back", async () => {
    // The database goes away and comes back behind a port of our own: restarting PostgreSQL on
    // its old port could find that port taken meanwhile by any other program on the machine.
    const server = await startEmbeddedPostgres({ dataDir: dir, password: "gate-test-password" });
    const entrance = await switchableEntrance(server.port);
    const { pool, close } = createDb(server.url.replace(`:${server.port}/`, `:${entrance.port}/`), { max: 2 });
    expect((await pool.query("select 1 as one")).rows[0].one).toBe(1);
    entrance.down();
    await expect(pool.query("select 1")).rejects.toThrow();
    // Down for a while: the backoff grows towards its cap.
    for (let i = 0; i < 8; i++) {
      await pool.query("select 1").catch(() => {});
      await sleep(500);
    }
    entrance.up();
    const back = Date.now();
    let ok = false;
    while (!ok && Date.now() - back < DB_RECONNECT_BACKOFF.maxMs + 5000) {
      ok = await pool.query("select 1").then(
        () => true,
        () => false,
      );
      await sleep(100);
    }
    expect(ok).toBe(true);
    await close();
    await entrance.close();
    await server.stop();
  });
});
