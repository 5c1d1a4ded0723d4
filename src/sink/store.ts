import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NotificationRecord, RecordDraft, SinkIntegration } from './records.js';

export const NOTIFICATIONS_FILE = 'notifications.jsonl';

export interface NotificationFilter {
  integration?: SinkIntegration | undefined;
  /** Only records received at or after this time (ms since the epoch). */
  sinceMs?: number | undefined;
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

export async function readNotifications(sinkDir: string, filter: NotificationFilter = {}): Promise<NotificationRecord[]> {
  let text: string;
  try {
    text = await readFile(join(sinkDir, NOTIFICATIONS_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return parseRecords(text).filter((r) => matchesFilter(r, filter));
}

/** Appends records to `<sinkDir>/notifications.jsonl`, one write at a time so
 * lines never interleave. */
export class NotificationStore {
  private queue: Promise<void> = Promise.resolve();
  constructor(readonly sinkDir: string) {}

  async init(): Promise<void> {
    await mkdir(this.sinkDir, { recursive: true });
  }

  append(draft: RecordDraft, now: Date = new Date()): Promise<NotificationRecord> {
    const record: NotificationRecord = { id: randomUUID(), time: now.toISOString(), ...draft };
    const line = `${JSON.stringify(record)}\n`;
    const done = this.queue.then(() => appendFile(join(this.sinkDir, NOTIFICATIONS_FILE), line));
    this.queue = done.catch(() => undefined);
    return done.then(() => record);
  }

  list(filter: NotificationFilter = {}): Promise<NotificationRecord[]> {
    return this.queue.then(() => readNotifications(this.sinkDir, filter));
  }
}
