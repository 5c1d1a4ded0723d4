import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlmonClient } from 'mlmon';

/** A stand-in ingest API on loopback that answers with the statuses given, in order, then 200. */
async function ingestServer(statuses: number[]) {
  const bodies: { path: string; auth: string | undefined; body: { events?: unknown[]; feedback?: unknown[] } }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      const body = JSON.parse(text) as { events?: unknown[]; feedback?: unknown[] };
      bodies.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      const items = body.events ?? body.feedback ?? [];
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(status === 200 ? JSON.stringify({ accepted: items.length, rejected: [] }) : '{"error":"x"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const event = (i: number) => ({ model: 'm', version: 'v1', id: `e${i}`, features: { a: i }, prediction: 'x' });

test('the client batches, sends events before labels, and retries 5xx with backoff until accepted', async () => {
  const api = await ingestServer([503, 503]);
  const client = new MlmonClient({ url: api.url, token: 't0k', batchSize: 3, flushIntervalMs: 60_000, backoffMs: 10 });
  for (let i = 0; i < 5; i++) client.prediction(event(i));
  client.feedback({ model: 'm', id: 'e0', label: 'x' });
  await client.close();
  await api.close();
  assert.deepEqual(client.stats, { queued: 6, accepted: 6, rejected: 0, dropped: 0, retries: 2, buffered: 0 });
  assert.deepEqual(
    api.bodies.map((b) => [b.path, (b.body.events ?? b.body.feedback)!.length]),
    [
      ['/v1/events', 3],
      ['/v1/events', 3],
      ['/v1/events', 3],
      ['/v1/events', 2],
      ['/v1/feedback', 1],
    ],
  );
  assert.ok(api.bodies.every((b) => b.auth === 'Bearer t0k'));
  const first = api.bodies[0]!.body.events![0] as { timestamp: number };
  assert.equal(typeof first.timestamp, 'number', 'the event time is taken when the prediction is queued, not when it is sent');
});

test('a 4xx is not retried; an unreachable exporter costs at most maxBuffered items of memory', async () => {
  const api = await ingestServer([400]);
  const errors: string[] = [];
  const refused = new MlmonClient({ url: api.url, token: 't', flushIntervalMs: 60_000, onError: (e) => errors.push(e.message) });
  refused.prediction(event(1));
  await refused.close();
  await api.close();
  assert.equal(refused.stats.dropped, 1);
  assert.equal(refused.stats.retries, 0);
  assert.match(errors[0] ?? '', /HTTP 400/);

  // Nothing listens here any more: the buffer keeps the newest 5 and drops the rest.
  const away = new MlmonClient({
    url: api.url,
    token: 't',
    maxBuffered: 5,
    flushIntervalMs: 60_000,
    batchSize: 1000,
    maxAttempts: 2,
    backoffMs: 1,
  });
  for (let i = 0; i < 12; i++) away.prediction(event(i));
  assert.equal(away.stats.buffered, 5);
  assert.equal(away.stats.dropped, 7);
  await away.close();
  assert.deepEqual(
    { dropped: away.stats.dropped, retries: away.stats.retries, accepted: away.stats.accepted },
    { dropped: 12, retries: 1, accepted: 0 },
  );
});

test('a label never overtakes its prediction, even when queued while an earlier flush is sending', async () => {
  const arrivals: string[] = [];
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { events?: { id: string }[]; feedback?: { id: string }[] };
      for (const e of body.events ?? []) arrivals.push(`event ${e.id}`);
      for (const f of body.feedback ?? []) arrivals.push(`label ${f.id}`);
      const answer = () => res.writeHead(200).end(JSON.stringify({ accepted: (body.events ?? body.feedback ?? []).length, rejected: [] }));
      // The first label request hangs until the test releases it.
      if (body.feedback && arrivals.filter((a) => a.startsWith('label')).length === 1) void held.then(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const client = new MlmonClient({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: 't',
    flushIntervalMs: 60_000,
  });
  client.prediction(event(1));
  client.feedback({ model: 'm', id: 'e1', label: 'x' });
  const first = client.flush();
  while (!arrivals.includes('label e1')) await new Promise((r) => setTimeout(r, 5));
  // While the first flush waits on its label request, a new prediction and its label are queued.
  client.prediction(event(2));
  client.feedback({ model: 'm', id: 'e2', label: 'x' });
  release();
  await first;
  await client.close();
  await new Promise<void>((r) => server.close(() => r()));
  assert.deepEqual(arrivals, ['event e1', 'label e1', 'event e2', 'label e2']);
});
