/** The exporter's threads and how they talk. The main thread only answers HTTP:
 * `/metrics` from the text the engine thread last rendered, the ingest API by
 * handing the request body to the ingest thread. So a scrape never waits for a
 * compute round, a checkpoint or the parsing of a 10,000-event request.
 *
 * A thread starts by answering `ready` (with what the main thread needs) or
 * `failed` (an MlmonError's parts, rethrown on the main thread); then every
 * request carries an id and gets one `reply` with that id. Other messages flow
 * one way (the engine's new text, the ingest thread's counts). */
import { parentPort, Worker } from 'node:worker_threads';
import { MlmonError } from '../errors.js';

export interface ErrorParts {
  code: string;
  message: string;
  location?: string | undefined;
  hint?: string | undefined;
}

interface Ready {
  type: 'ready';
  info: unknown;
}
interface Failed {
  type: 'failed';
  error: ErrorParts;
}
interface Reply {
  type: 'reply';
  id: number;
  result?: unknown;
  error?: string;
}
interface Request {
  type: 'request';
  id: number;
  request: unknown;
}
interface OneWay {
  type: 'note';
  note: unknown;
}

export interface Thread<Req, Res, Note> {
  /** A request, answered by the thread's handler; `transfer` moves buffers instead of copying them. */
  ask(request: Req, transfer?: ArrayBuffer[]): Promise<Res>;
  /** A message the thread does not answer. */
  tell(note: Note, transfer?: ArrayBuffer[]): void;
  /** Set once the thread failed after starting. */
  readonly failed: Error | undefined;
  terminate(): Promise<void>;
}

/** Start a worker thread and wait for its `ready`. `onNote` takes its one-way
 * messages; `onFatal` is called once if it fails later. */
export async function startThread<Req, Res, NoteIn, NoteOut, Info>(
  url: URL,
  workerData: unknown,
  handlers: { onNote?: (note: NoteIn) => void; onFatal?: (e: Error) => void },
): Promise<{ thread: Thread<Req, Res, NoteOut>; info: Info }> {
  const worker = new Worker(url, { workerData });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failed: Error | undefined;
  let started = false;
  const info = await new Promise<Info>((resolve, reject) => {
    worker.on('message', (m: Ready | Failed | Reply | OneWay) => {
      if (m.type === 'note') handlers.onNote?.(m.note as NoteIn);
      else if (m.type === 'reply') {
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (m.error === undefined) w?.resolve(m.result);
        else w?.reject(new Error(m.error));
      } else if (m.type === 'ready') {
        started = true;
        resolve(m.info as Info);
      } else reject(new MlmonError(m.error.code, m.error.message, { location: m.error.location, hint: m.error.hint }));
    });
    worker.on('error', (e) => {
      reject(e);
      if (!started || failed) return;
      failed = e;
      for (const w of waiting.values()) w.reject(e);
      waiting.clear();
      handlers.onFatal?.(e);
    });
    worker.on('exit', (code) => {
      const e = new Error(`a thread of the exporter stopped (exit ${code})`);
      reject(e);
      for (const w of waiting.values()) w.reject(e);
      waiting.clear();
    });
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  const thread: Thread<Req, Res, NoteOut> = {
    ask: (request, transfer = []) =>
      new Promise<Res>((resolve, reject) => {
        if (failed) return reject(failed);
        const id = nextId++;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ type: 'request', id, request } satisfies Request, transfer);
      }),
    tell: (note, transfer = []) => {
      if (!failed) worker.postMessage({ type: 'note', note } satisfies OneWay, transfer);
    },
    get failed() {
      return failed;
    },
    terminate: async () => {
      await worker.terminate();
    },
  };
  return { thread, info };
}

/** Inside a worker: start with `start` (its result is the `ready` info), then
 * answer requests with `onRequest` and take one-way messages with `onNote`.
 * `send` posts one-way messages to the main thread. */
export async function serveThread<Req, Res, NoteIn, NoteOut, Info>(
  start: (send: (note: NoteOut, transfer?: ArrayBuffer[]) => void) => Promise<{
    info: Info;
    onRequest: (request: Req) => Promise<{ result: Res; transfer?: ArrayBuffer[] }>;
    onNote?: (note: NoteIn) => void;
  }>,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('this module runs in a worker thread');
  const send = (note: NoteOut, transfer: ArrayBuffer[] = []): void => port.postMessage({ type: 'note', note } satisfies OneWay, transfer);
  let served;
  try {
    served = await start(send);
  } catch (e) {
    const error: ErrorParts =
      e instanceof MlmonError
        ? { code: e.code, message: e.message, location: e.location, hint: e.hint }
        : { code: 'exporter_start', message: (e as Error).message };
    port.postMessage({ type: 'failed', error } satisfies Failed);
    port.close();
    return;
  }
  const { onRequest, onNote } = served;
  port.on('message', (m: Request | OneWay) => {
    if (m.type === 'note') {
      onNote?.(m.note as NoteIn);
      return;
    }
    onRequest(m.request as Req).then(
      ({ result, transfer }) => port.postMessage({ type: 'reply', id: m.id, result } satisfies Reply, transfer ?? []),
      (e: Error) => port.postMessage({ type: 'reply', id: m.id, error: e.message } satisfies Reply),
    );
  });
  port.postMessage({ type: 'ready', info: served.info } satisfies Ready);
}
