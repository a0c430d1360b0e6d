import { Readable } from "node:stream";
import { type JobKind, KIND_INFO } from "@sorami/contracts";
import type { FileWithGeneration } from "@sorami/db/queries/collections";
import type { Storage } from "@sorami/storage";
import { ZipFile } from "yazl";

/** One file of an archive: where it is stored, and its path inside the ZIP. */
export type ArchiveEntry = { key: string; name: string; mtime: Date };

/** A file's extension as its key ends (keys are plain ASCII names). */
function extensionOf(key: string): string {
  const name = key.slice(key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : "";
}

/** `image_1.png`: a file's name in an archive, from its kind and place in its generation. */
export function fileName(kind: JobKind, index: number, key: string): string {
  return `${KIND_INFO[kind].noun}_${index + 1}${extensionOf(key)}`;
}

/** Entries for files of generations: `{first 8 of the job id}-image_1.png`, each name once. */
export function archiveEntries(files: FileWithGeneration[], folder: string): ArchiveEntry[] {
  return files.map(({ generation, file }) => ({
    key: file.storageKey,
    name: `${folder}/${generation.id.slice(0, 8)}-${fileName(generation.kind, file.index, file.storageKey)}`,
    mtime: generation.completedAt ?? generation.createdAt,
  }));
}

/** A name a person typed, made safe as a folder and file name in any system: no separators, controls or reserved marks. */
export function safeName(text: string, fallback: string): string {
  const cleaned = text
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}/\\:*?"<>|]+/gu, "_")
    .replace(/^[\s.]+|[\s.]+$/g, "")
    .slice(0, 60);
  return cleaned || fallback;
}

/** `attachment` with an ASCII name for old clients and the UTF-8 one (RFC 6266) for the rest. */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * A ZIP of stored files, streamed as it is read: each file is opened from
 * the store only when its turn comes and flows through to the client
 * (STORE method: media is compressed already), so memory holds a few chunks
 * whatever the archive's size. A file that cannot be read ends the response
 * in error (a truncated download, not a silently incomplete archive); a
 * client that goes away closes the file being read.
 */
export function zipResponse(storage: Storage, entries: ArchiveEntry[], downloadName: string): Response {
  const zip = new ZipFile();
  const output = zip.outputStream as unknown as Readable;
  let reading: Readable | null = null;
  const fail = (error: unknown) => {
    console.error("[archive] stopped:", error instanceof Error ? error.message : error);
    reading?.destroy();
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  zip.on("error", fail);
  for (const entry of entries) {
    zip.addReadStreamLazy(entry.name, { compress: false, mtime: entry.mtime }, (done) => {
      storage.open(entry.key).then((opened) => {
        if (!opened) {
          fail(new Error(`${entry.key} is not in the store`));
          return;
        }
        reading = opened.stream;
        opened.stream.once("error", fail);
        done(null, opened.stream);
      }, fail);
    });
  }
  zip.end();
  output.once("close", () => reading?.destroy());
  return new Response(Readable.toWeb(output) as ReadableStream, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": attachmentHeader(downloadName),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
