import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { BODY_LIMIT, buildGateway, GATEWAY_TIMEOUTS, type Gateway } from '../../src/gateway/server.js';
import { freePort } from '../../src/net.js';
import { FindingLog } from '../support/reliability/index.js';

const log = new FindingLog('slow-clients');

/** Resolves with what the server sent and how long until it closed the socket. */
function openSocket(port: number, send: string): { socket: Socket; closed: Promise<{ ms: number; reply: string }> } {
  const t0 = Date.now();
  const socket = connect(port, '127.0.0.1');
  let reply = '';
  socket.on('data', (d) => (reply += d.toString()));
  socket.on('error', () => undefined);
  socket.write(send);
  const closed = new Promise<{ ms: number; reply: string }>((r) => socket.on('close', () => r({ ms: Date.now() - t0, reply })));
  return { socket, closed };
}

describe('slow and oversized clients do not exhaust the gateway', () => {
  let dataDir: string;
  let gw: Gateway;
  let port: number;
  // Short limits for the test; the defaults are checked to be in force below.
  const limits = { requestTimeoutMs: 1500, headersTimeoutMs: 1000, connectionTimeoutMs: 2500, keepAliveTimeoutMs: 1000 };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlmon-rel-slow-'));
    port = await freePort();
    gw = await buildGateway({ dataDir, logger: pino({ level: 'silent' }), timeouts: limits });
    await gw.app.listen({ host: '127.0.0.1', port });
  });
  after(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
    log.save();
  });

  test('the default limits are set on the real server', async () => {
    const d = await buildGateway({ dataDir, logger: pino({ level: 'silent' }) });
    try {
      const srv = d.app.server;
      log.verify(
        'hostile input',
        'gateway socket limits (defaults)',
        `request ${srv.requestTimeout / 1000} s, headers ${srv.headersTimeout / 1000} s, idle socket ${srv.timeout / 1000} s, keep-alive ${srv.keepAliveTimeout / 1000} s, body ${BODY_LIMIT / 1024} KiB`,
        () => {
          assert.equal(srv.requestTimeout, GATEWAY_TIMEOUTS.requestTimeoutMs);
          assert.equal(srv.headersTimeout, GATEWAY_TIMEOUTS.headersTimeoutMs);
          assert.equal(srv.keepAliveTimeout, GATEWAY_TIMEOUTS.keepAliveTimeoutMs);
          assert.equal(srv.timeout, GATEWAY_TIMEOUTS.connectionTimeoutMs);
        },
      );
    } finally {
      await d.close();
    }
  });

  test('100 slow-loris clients (headers never finished, bodies never sent) are cut off while normal requests are served', async () => {
    const loris = Array.from({ length: 50 }, () => openSocket(port, 'POST /predict HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    const slowBody = Array.from({ length: 50 }, () =>
      openSocket(port, 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"features":'),
    );
    // A trickle of one byte per 200 ms keeps the idle timer from firing: only the request timeout stops it.
    const tricklers = slowBody.map(({ socket }) => setInterval(() => socket.writable && socket.write(' '), 200));
    try {
      const ok = await fetch(`http://127.0.0.1:${port}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 } }),
      });
      assert.equal(ok.status, 200, 'a normal request is served while 100 slow clients hold sockets');
      const closedLoris = await Promise.all(loris.map((l) => l.closed));
      const closedBody = await Promise.all(slowBody.map((l) => l.closed));
      const worst = Math.max(...closedLoris.map((c) => c.ms), ...closedBody.map((c) => c.ms));
      const answered408 = [...closedLoris, ...closedBody].filter((c) => c.reply.startsWith('HTTP/1.1 408')).length;
      log.verify(
        'hostile input',
        '50 clients that never finish their headers + 50 that trickle a body one byte per 200 ms',
        `all 100 sockets closed by the gateway within ${(worst / 1000).toFixed(1)} s (${answered408} answered 408); normal requests served meanwhile (limits in the test: headers ${limits.headersTimeoutMs} ms, request ${limits.requestTimeoutMs} ms)`,
        () => assert.ok(worst < 10_000, `a slow client held its socket for ${worst} ms`),
      );
    } finally {
      tricklers.forEach(clearInterval);
      for (const { socket } of [...loris, ...slowBody]) socket.destroy();
    }
  });

  test('an idle connection is closed after the idle/keep-alive timeout', async () => {
    const idle = openSocket(port, '');
    const { ms } = await idle.closed;
    log.verify('hostile input', 'a client that connects and sends nothing', `closed by the gateway after ${(ms / 1000).toFixed(1)} s`, () =>
      assert.ok(ms < 10_000),
    );
  });

  test('an oversized body is refused with 413 before it is parsed', async () => {
    const big = JSON.stringify({
      instances: Array.from({ length: 5000 }, () => ({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 })),
    });
    assert.ok(big.length > BODY_LIMIT);
    const res = await fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    const body = (await res.json()) as { error: string };
    const huge = await fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(1024 * 1024 * 1024) },
      body: 'x'.repeat(10),
    }).catch((e: Error) => e);
    const hugeStatus = huge instanceof Error ? `connection closed (${huge.message})` : `HTTP ${huge.status}`;
    log.verify(
      'hostile input',
      `POST /predict with a ${(big.length / 1024).toFixed(0)} KiB body, and one announcing 1 GiB`,
      `HTTP ${res.status} ${body.error}; 1 GiB announcement: ${hugeStatus}`,
      () => {
        assert.equal(res.status, 413);
        assert.equal(body.error, 'body_too_large');
        if (!(huge instanceof Error)) assert.equal(huge.status, 413);
      },
    );
  });
});
