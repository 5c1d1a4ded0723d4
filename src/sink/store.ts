import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openIfExists } from '../files.js';
import type { NotificationRecord, RecordDraft, SinkIntegration } from './records.js';

export const NOTIFICATIONS_FILE = 'notifications.jsonl';
/** The segment before the current one; rotation drops the one before it. */
export const OLDER_NOTIFICATIONS_FILE = 'notifications.1.jsonl';
/** A segment is rotated once it passes this size: the store holds at most two
 * (about 16 MiB), whatever floods it, and a read never takes more. */
export const SEGMENT_BYTES = 8 * 1024 * 1024;
/** Records a listing returns by default, and at most. */
export const DEFAULT_LIST_LIMIT = 500;
export const MAX_LIST_LIMIT = 5000;

export interface NotificationFilter {
  integration?: SinkIntegration | undefined;
  /** Only records received at or after this time (ms since the epoch). */
  sinceMs?: number | undefined;
  /** The newest this many matching records (default DEFAULT_LIST_LIMIT, at most MAX_LIST_LIMIT). */
  limit?: number | undefined;
}

export function matchesFilter(r: NotificationRecord, f: NotificationFilter): boolean {
  if (f.integration && r.integration !== f.integration) return false;
  if (f.sinceMs !== undefined && Date.parse(r.time) < f.sinceMs) return false;
  return true;
}

/** JSON lines, one per record; a torn last line (crash mid-write) is skipped. */
export function parseRecords(text: string): NotificationRecord[] {
  const out: NotificationRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as NotificationRecord);
    } catch {
      // a partial line from an interrupted append: ignore it
    }
  }
  return out;
}

/** The last `maxBytes` of a file as text, starting at a whole line ('' when missing). */
async function readTail(path: string, maxBytes: number): Promise<string> {
  const fh = await openIfExists(path);
  if (!fh) return '';
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    const text = buf.subarray(0, off).toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    await fh.close();
  }
}

/** The newest matching records, oldest first. Reads at most one segment's size
 * of each of the two files, so memory stays bounded even for a store written
 * before rotation existed. */
export async function readNotifications(sinkDir: string, filter: NotificationFilter = {}): Promise<NotificationRecord[]> {
  const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, filter.limit ?? DEFAULT_LIST_LIMIT));
  const out: NotificationRecord[] = [];
  for (const name of [OLDER_NOTIFICATIONS_FILE, NOTIFICATIONS_FILE]) {
    for (const r of parseRecords(await readTail(join(sinkDir, name), SEGMENT_BYTES))) if (matchesFilter(r, filter)) out.push(r);
  }
  return out.slice(-limit);
}

async function countLines(path: string): Promise<number> {
  let n = 0;
  try {
    for await (const chunk of createReadStream(path)) for (const b of chunk as Buffer) if (b === 10) n += 1;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return n;
}

/** Appends records to `<sinkDir>/notifications.jsonl`, one write at a time so
 * lines never interleave. */
export class NotificationStore {
  private queue: Promise<void> = Promise.resolve();
  private size = 0;
  /** `onDropped(n)`: n records left the store by rotation (the sink counts them in a metric). */
  constructor(
    readonly sinkDir: string,
    private readonly onDropped: (records: number) => void = () => {},
    private readonly segmentBytes = SEGMENT_BYTES,
  ) {}

  async init(): Promise<void> {
    await mkdir(this.sinkDir, { recursive: true, mode: 0o700 });
    this.size = await stat(join(this.sinkDir, NOTIFICATIONS_FILE)).then(
      (st) => st.size,
      () => 0,
    );
    if (this.size >= this.segmentBytes) await this.rotate();
  }

  /** The current segment becomes the older one; the older one is dropped and counted. */
  private async rotate(): Promise<void> {
    const older = join(this.sinkDir, OLDER_NOTIFICATIONS_FILE);
    const dropped = await countLines(older);
    await rm(older, { force: true });
    await rename(join(this.sinkDir, NOTIFICATIONS_FILE), older).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    this.size = 0;
    if (dropped > 0) this.onDropped(dropped);
  }

  append(draft: RecordDraft, now: Date = new Date()): Promise<NotificationRecord> {
    const record: NotificationRecord = { id: randomUUID(), time: now.toISOString(), ...draft };
    const line = `${JSON.stringify(record)}\n`;
    const bytes = Buffer.byteLength(line);
    const done = this.queue.then(async () => {
      // Rotate before a segment would pass its size: two segments stay within 2 × SEGMENT_BYTES.
      if (this.size > 0 && this.size + bytes > this.segmentBytes) await this.rotate();
      await appendFile(join(this.sinkDir, NOTIFICATIONS_FILE), line, { mode: 0o600 });
      this.size += bytes;
    });
    this.queue = done.catch(() => undefined);
    return done.then(() => record);
  }

  list(filter: NotificationFilter = {}): Promise<NotificationRecord[]> {
    return this.queue.then(() => readNotifications(this.sinkDir, filter));
  }
}
