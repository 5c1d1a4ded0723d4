import { mkdir, open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { InferenceEvent } from './types.js';
import { listSegments, MAX_SEGMENT_SEQ, segmentPath } from './segments.js';

export interface EventWriterOptions {
  dir: string;
  /** Start a new segment before one would grow past this (default 8 MiB). */
  maxSegmentBytes?: number;
  /** Disk bound: at rotation, oldest segments are deleted while the spool is larger (default 256 MiB). */
  maxTotalBytes?: number;
  /** Buffered events reach the disk at least this often (default 100 ms). */
  flushIntervalMs?: number;
  /** Memory bound: events arriving while this much is waiting are dropped (default 32 MiB). */
  maxBufferedBytes?: number;
  /** Called on write errors (disk full, folder removed); the events involved count as dropped. */
  onError?: (err: Error) => void;
  /** fdatasync every flush (and a segment before it is closed, and the folder
   * after a segment is created), so that what `appendDurable` resolved for
   * survives a crash or a power cut. Off for the gateway: its events are
   * monitoring data, and a lost 100 ms is cheaper than a sync per request. */
  sync?: boolean;
}

/** appendDurable refused the events: the memory bound is reached or the disk write failed. */
export class SpoolWriteError extends Error {}

export interface EventWriterStats {
  /** Events handed to append(). */
  appended: number;
  /** Events on disk. */
  written: number;
  /** Events lost: buffer full, write error, appended after close, or deleted by the disk bound. */
  dropped: number;
  /** Events waiting in memory. */
  buffered: number;
  /** Segment being written (0 before the first write). */
  segment: number;
}

export interface EventWriter {
  /** Queue one event; never waits for the disk. */
  append(event: InferenceEvent): void;
  /** Queue events and resolve once they are written (and synced, with `sync`).
   * Concurrent calls share one write and one sync (group commit). Rejects with
   * SpoolWriteError when none of them could be kept. */
  appendDurable(events: readonly InferenceEvent[]): Promise<void>;
  flush(): Promise<void>;
  /** Flush and release the file; later appends are dropped. */
  close(): Promise<void>;
  readonly stats: Readonly<EventWriterStats>;
}

const MiB = 1024 * 1024;

/** fsync a folder, so a file created in it survives a power cut. */
async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Open the spool for appending. A restarted writer never reopens an old segment:
 * its last line may be torn by a crash, and the reader treats a torn tail as
 * final only once a later segment exists. So every writer starts a fresh segment
 * after the highest one on disk. */
export async function openEventWriter(opts: EventWriterOptions): Promise<EventWriter> {
  const maxSegmentBytes = opts.maxSegmentBytes ?? 8 * MiB;
  const maxTotalBytes = opts.maxTotalBytes ?? 256 * MiB;
  const maxBufferedBytes = opts.maxBufferedBytes ?? 32 * MiB;
  const flushIntervalMs = opts.flushIntervalMs ?? 100;
  await mkdir(opts.dir, { recursive: true });
  const existing = await listSegments(opts.dir);
  let nextSeq = (existing[existing.length - 1] ?? 0) + 1;

  const stats: EventWriterStats = { appended: 0, written: 0, dropped: 0, buffered: 0, segment: 0 };
  let buffer: string[] = [];
  let bufferedChars = 0;
  let closed = false;
  let file: FileHandle | undefined;
  let fileBytes = 0;
  /** Events per segment this writer wrote, so a deleted segment's loss is counted without rereading it. */
  const eventsIn = new Map<number, number>();
  let chain: Promise<void> = Promise.resolve();

  const sync = opts.sync === true;
  async function startSegment(): Promise<void> {
    if (file) {
      if (sync) await file.datasync();
      await file.close();
    }
    for (;;) {
      if (nextSeq > MAX_SEGMENT_SEQ) throw new Error(`segment numbers are exhausted in ${opts.dir}; move the spool aside`);
      const seq = nextSeq++;
      try {
        // 'wx': fail rather than append to a segment someone else created meanwhile.
        file = await open(segmentPath(opts.dir, seq), 'wx');
        stats.segment = seq;
        fileBytes = 0;
        eventsIn.set(seq, 0);
        if (sync) await syncFolder(opts.dir);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }

  async function enforceDiskBound(): Promise<void> {
    const seqs = await listSegments(opts.dir);
    const sizes = await Promise.all(
      seqs.map((s) =>
        stat(segmentPath(opts.dir, s)).then(
          (st) => st.size,
          () => 0,
        ),
      ),
    );
    let total = sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < seqs.length && total > maxTotalBytes; i++) {
      const seq = seqs[i] as number;
      if (seq === stats.segment) break;
      const path = segmentPath(opts.dir, seq);
      let lost = eventsIn.get(seq);
      if (lost === undefined) lost = await readFile(path).then(countLines, () => 0);
      try {
        await unlink(path);
        stats.dropped += lost;
      } catch (e) {
        // Already released by the consumer: nothing was lost.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      eventsIn.delete(seq);
      total -= sizes[i] as number;
    }
  }

  async function writeChunk(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const data = Buffer.from(lines.join(''), 'utf8');
    await file!.write(data, 0, data.length);
    fileBytes += data.length;
    stats.written += lines.length;
    eventsIn.set(stats.segment, (eventsIn.get(stats.segment) ?? 0) + lines.length);
  }

  async function writeOut(lines: string[]): Promise<void> {
    if (!file) await startSegment();
    let pending: string[] = [];
    let pendingBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      // Rotate between lines, never inside one; an oversized single line still gets a segment.
      if (fileBytes + pendingBytes > 0 && fileBytes + pendingBytes + bytes > maxSegmentBytes) {
        await writeChunk(pending);
        pending = [];
        pendingBytes = 0;
        await startSegment();
        await enforceDiskBound();
      }
      pending.push(line);
      pendingBytes += bytes;
    }
    await writeChunk(pending);
  }

  // Flushes are numbered as they take the buffer, so a durable append knows which
  // flush carries its lines and whether that one failed.
  let flushesStarted = 0;
  const failedFlushes = new Set<number>();
  function flushNow(): Promise<void> {
    chain = chain.then(async () => {
      if (buffer.length === 0) return;
      const lines = buffer;
      const n = ++flushesStarted;
      buffer = [];
      bufferedChars = 0;
      stats.buffered = 0;
      const before = stats.written;
      try {
        await writeOut(lines);
        if (sync) await file?.datasync();
      } catch (e) {
        stats.dropped += lines.length - (stats.written - before);
        failedFlushes.add(n);
        if (failedFlushes.size > 1000) failedFlushes.delete(failedFlushes.values().next().value as number);
        opts.onError?.(e as Error);
      }
    });
    return chain;
  }

  function queue(event: InferenceEvent): boolean {
    return queueLine(JSON.stringify(event) + '\n');
  }

  function queueLine(line: string): boolean {
    stats.appended++;
    if (closed) {
      stats.dropped++;
      return false;
    }
    if (bufferedChars + line.length > maxBufferedBytes) {
      stats.dropped++;
      return false;
    }
    buffer.push(line);
    bufferedChars += line.length;
    stats.buffered = buffer.length;
    return true;
  }

  const timer = setInterval(() => void flushNow(), flushIntervalMs);
  timer.unref();

  return {
    append(event) {
      queue(event);
    },
    async appendDurable(events) {
      if (closed) throw new SpoolWriteError('the event spool is closed');
      // All or nothing: lines are checked against the memory bound before any is queued.
      const lines = events.map((e) => JSON.stringify(e) + '\n');
      let chars = 0;
      for (const l of lines) chars += l.length;
      if (bufferedChars + chars > maxBufferedBytes) {
        stats.appended += events.length;
        stats.dropped += events.length;
        throw new SpoolWriteError('the event spool buffer is full; retry later');
      }
      for (const l of lines) queueLine(l);
      // These lines go out with the next flush to take the buffer.
      const carrier = flushesStarted + 1;
      await flushNow();
      if (failedFlushes.has(carrier)) throw new SpoolWriteError('the events could not be written to the spool');
    },
    flush: flushNow,
    async close() {
      if (closed) return chain;
      closed = true;
      clearInterval(timer);
      await flushNow();
      chain = chain.then(async () => {
        await file?.close();
        file = undefined;
      });
      return chain;
    },
    stats,
  };
}
