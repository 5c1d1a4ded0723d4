import { unlink } from 'node:fs/promises';
import { openIfExists } from '../files.js';
import type { InferenceEvent, SpoolPosition } from './types.js';
import { listSegments, segmentPath } from './segments.js';

export interface ReadResult {
  events: InferenceEvent[];
  /** Where the next call should start; persist it with the state built from `events`. */
  next: SpoolPosition;
  /** Unparsable lines (and torn tails of finished segments) stepped over. */
  skippedCorrupt: number;
}

const FIRST_CHUNK = 256 * 1024;

function isEvent(v: unknown): v is InferenceEvent {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  if (typeof e.id !== 'string' || typeof e.ts !== 'number' || typeof e.model !== 'string' || typeof e.version !== 'string') return false;
  if (e.type === 'prediction') {
    return (typeof e.prediction === 'string' || typeof e.prediction === 'number') && typeof e.features === 'object' && e.features !== null;
  }
  if (e.type === 'feedback') return typeof e.label === 'string' || typeof e.label === 'number';
  return false;
}

/** Read complete lines of one segment from `offset`, up to `max` events.
 * Returns the byte offset after the last complete line consumed and the file
 * size seen, so the caller can tell a torn tail from "not written yet". */
async function readSegment(
  path: string,
  offset: number,
  max: number,
  out: InferenceEvent[],
  limit = Infinity,
): Promise<{ offset: number; size: number; corrupt: number } | undefined> {
  const fh = await openIfExists(path);
  if (!fh) return undefined;
  try {
    let pos = offset;
    let corrupt = 0;
    let chunk = Buffer.allocUnsafe(FIRST_CHUNK);
    let taken = 0;
    while (taken < max && pos < limit) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, limit - pos), pos);
      if (bytesRead === 0) break;
      let start = 0;
      let sawLine = false;
      while (taken < max) {
        const nl = chunk.indexOf(10, start);
        if (nl === -1 || nl >= bytesRead) break;
        sawLine = true;
        const text = chunk.toString('utf8', start, nl);
        start = nl + 1;
        try {
          const v: unknown = JSON.parse(text);
          if (isEvent(v)) {
            out.push(v);
            taken++;
          } else corrupt++;
        } catch {
          corrupt++;
        }
      }
      pos += start;
      if (!sawLine) {
        // A line longer than the buffer: grow and retry; a short read means a partial last line.
        if (bytesRead < chunk.length || pos + bytesRead >= limit) break;
        chunk = Buffer.allocUnsafe(chunk.length * 2);
      }
    }
    const { size } = await fh.stat();
    return { offset: pos, size, corrupt };
  } finally {
    await fh.close();
  }
}

/** Read up to `maxEvents` events from `from`, in order, across segments, and
 * never past `until` (a position an earlier read returned) when given.
 * Only newline-terminated lines are consumed: the writer may be mid-line. A
 * segment counts as finished only when a later one exists, because the writer
 * never touches a segment again after creating the next; the later segment is
 * looked up before reading, so nothing written in between is skipped. A torn
 * tail of a finished segment (a crashed writer) is skipped and counted. */
export async function readEvents(dir: string, from: SpoolPosition, maxEvents: number, until?: SpoolPosition): Promise<ReadResult> {
  const events: InferenceEvent[] = [];
  let skippedCorrupt = 0;
  let pos: SpoolPosition = { segment: from.segment, offset: from.offset };
  const atEnd = (p: SpoolPosition) =>
    until !== undefined && (p.segment > until.segment || (p.segment === until.segment && p.offset >= until.offset));
  for (;;) {
    if (atEnd(pos)) break;
    const seqs = await listSegments(dir);
    if (!seqs.includes(pos.segment)) {
      // Start of the spool, or our segment was deleted (disk bound): go to the next one that exists.
      const later = seqs.find((s) => s > pos.segment);
      if (later === undefined) break;
      pos = { segment: later, offset: 0 };
    }
    if (atEnd(pos)) break;
    const hasLater = seqs.some((s) => s > pos.segment);
    const limit = until !== undefined && until.segment === pos.segment ? until.offset : Infinity;
    const res = await readSegment(segmentPath(dir, pos.segment), pos.offset, maxEvents - events.length, events, limit);
    if (res === undefined) continue; // deleted between listing and opening: list again
    skippedCorrupt += res.corrupt;
    pos = { segment: pos.segment, offset: res.offset };
    if (events.length >= maxEvents || !hasLater || res.offset >= limit) break;
    if (res.size > res.offset) skippedCorrupt++; // torn last line left by a crashed writer
    const next = seqs.find((s) => s > pos.segment) as number;
    pos = { segment: next, offset: 0 };
  }
  return { events, next: pos, skippedCorrupt };
}

/** Delete the segments before the one `position` points into: a consumer calls this
 * after persisting `position`, and the spool shrinks to what is still unread. */
export async function releaseSegmentsBefore(dir: string, position: SpoolPosition): Promise<number> {
  let deleted = 0;
  for (const seq of await listSegments(dir)) {
    if (seq >= position.segment) break;
    try {
      await unlink(segmentPath(dir, seq));
      deleted++;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return deleted;
}
