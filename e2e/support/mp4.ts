/**
 * Reads what a test needs from an MP4 file by walking its boxes (ISO/IEC
 * 14496-12): the movie duration (mvhd), the video track's size (tkhd) and
 * the codec of its first sample entry (stsd).
 */
export type Mp4Info = { durationSeconds: number; width: number; height: number; codec: string };

const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "stbl"]);

type Box = { type: string; start: number; end: number; body: number };

function* boxes(buf: Buffer, start: number, end: number): Generator<Box> {
  let pos = start;
  while (pos + 8 <= end) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString("latin1", pos + 4, pos + 8);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < header || pos + size > end) {
      throw new Error(`corrupt MP4 box ${type} at ${pos}`);
    }
    yield { type, start: pos, end: pos + size, body: pos + header };
    pos += size;
  }
}

export function parseMp4(buf: Buffer): Mp4Info {
  const info: Partial<Mp4Info> = {};
  const walk = (start: number, end: number) => {
    for (const box of boxes(buf, start, end)) {
      if (CONTAINERS.has(box.type)) {
        walk(box.body, box.end);
      } else if (box.type === "mvhd") {
        const v1 = buf[box.body] === 1;
        const timescale = buf.readUInt32BE(box.body + (v1 ? 20 : 12));
        const duration = v1 ? Number(buf.readBigUInt64BE(box.body + 24)) : buf.readUInt32BE(box.body + 16);
        info.durationSeconds = duration / timescale;
      } else if (box.type === "tkhd") {
        const v1 = buf[box.body] === 1;
        const dims = box.body + (v1 ? 88 : 76);
        const width = buf.readUInt32BE(dims) / 65536;
        const height = buf.readUInt32BE(dims + 4) / 65536;
        if (width > 0 && height > 0) {
          Object.assign(info, { width, height });
        }
      } else if (box.type === "stsd" && !info.codec) {
        info.codec = buf.toString("latin1", box.body + 12, box.body + 16);
      }
    }
  };
  const ftyp = buf.toString("latin1", 4, 8);
  if (ftyp !== "ftyp") {
    throw new Error("not an MP4 file (no ftyp box)");
  }
  walk(0, buf.length);
  if (info.durationSeconds === undefined || !info.width || !info.codec) {
    throw new Error("MP4 lacks mvhd/tkhd/stsd");
  }
  return info as Mp4Info;
}
