import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpoolStream } from './types.js';

/** Folder of one stream of the spool in `eventsDir`. */
export function streamDir(eventsDir: string, stream: SpoolStream): string {
  return stream === 'gateway' ? eventsDir : join(eventsDir, stream);
}

const SEGMENT_RE = /^segment-(\d{16})\.jsonl$/;

/** `segment-0000000000000042.jsonl`: zero-padded so a plain `ls` lists them in order. */
export function segmentFileName(seq: number): string {
  return `segment-${String(seq).padStart(16, '0')}.jsonl`;
}

export function segmentPath(dir: string, seq: number): string {
  return join(dir, segmentFileName(seq));
}

/** Highest sequence number of a segment. Sixteen digits could name numbers
 * past 2^53, where a JavaScript number no longer holds every integer (n + 1 ===
 * n): a file named like that (planted or corrupt) is not a segment of ours and
 * is ignored, and the writer refuses to go past it. 2^52 segments are never reached. */
export const MAX_SEGMENT_SEQ = 2 ** 52;

export function parseSegmentFileName(name: string): number | undefined {
  const m = SEGMENT_RE.exec(name);
  if (!m) return undefined;
  const seq = Number(m[1]);
  return seq <= MAX_SEGMENT_SEQ ? seq : undefined;
}

/** Sequence numbers of the segments in `dir`, ascending; none when the folder does not exist yet. */
export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const seqs: number[] = [];
  for (const n of names) {
    const seq = parseSegmentFileName(n);
    if (seq !== undefined) seqs.push(seq);
  }
  return seqs.sort((a, b) => a - b);
}
