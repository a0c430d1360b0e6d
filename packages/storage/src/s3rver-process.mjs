// A local S3-compatible server (s3rver) in its own process, for tests.
// Run with --openssl-legacy-provider: s3rver makes its list continuation
// tokens with DES, which OpenSSL 3 only has in its legacy provider.
// Usage: node --openssl-legacy-provider s3rver-process.mjs <directory> <bucket>
// Prints {"port":N} once listening; exits on SIGTERM or when its parent's pipe closes.
import S3rver from "s3rver";

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  port: 0,
  address: "127.0.0.1",
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const stop = () => server.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
