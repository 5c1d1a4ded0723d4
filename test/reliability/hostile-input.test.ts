import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import { isMlmonError } from '../../src/errors.js';
import { REJECT_REASONS } from '../../src/gateway/index.js';
import { buildGateway, type Gateway } from '../../src/gateway/server.js';
import { ensureModel, IRIS_CLASSES, IRIS_FEATURES } from '../../src/model/index.js';
import { parseSloSpec } from '../../src/slo/index.js';
import { startExporter, type RunningExporter } from '../../src/exporter/index.js';
import { segmentFileName } from '../../src/events/index.js';
import { stackPaths } from '../../src/definition/index.js';
import { fromRepo } from '../../src/paths.js';
import { FindingLog, soakMode } from '../support/reliability/index.js';

const RUNS = soakMode() ? 5000 : 400;
const log = new FindingLog('hostile-input');
after(() => log.save());

/** Label values of `label` over every sample line of an exposition text. */
function labelValues(text: string, label: string): Set<string> {
  return new Set([...text.matchAll(new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`, 'g'))].map((m) => m[1] as string));
}
const seriesLines = (text: string) =>
  text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('process_') && !l.startsWith('nodejs_'));

const featureName = fc.oneof(
  fc.constantFrom(...IRIS_FEATURES),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'toString'),
);
const oddValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.constant(1e308),
  fc.constant(-0),
);
const predictish = fc.oneof(
  fc.record({ features: fc.dictionary(featureName, oddValue, { maxKeys: 6 }) }),
  fc.record({ instances: fc.array(fc.dictionary(featureName, oddValue, { maxKeys: 6 }), { maxLength: 120 }) }),
  fc.record({ request_id: fc.oneof(fc.uuid(), fc.string()), label: fc.oneof(fc.constantFrom(...IRIS_CLASSES), fc.string()) }),
  fc.jsonValue({ maxDepth: 4 }),
);
const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  path: fc.oneof(
    fc.constantFrom(
      '/predict',
      '/feedback',
      '/health',
      '/ready',
      '/models',
      '/metrics',
      '/admin/fault',
      '/predict/',
      '//predict',
      '/PREDICT',
      '/predict?x=1',
    ),
    fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  ),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
  ),
  body: fc.oneof(
    predictish.map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constant('{"features":'),
    fc.constant('{"__proto__":{"polluted":1}}'),
  ),
  authorization: fc.option(fc.oneof(fc.string(), fc.constant('Bearer x')), { nil: undefined }),
});

describe('gateway request handling under arbitrary requests (fastify inject)', () => {
  let dataDir: string;
  let gw: Gateway;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlmon-rel-gw-'));
    gw = await buildGateway({ dataDir, admin: true, adminToken: 'rel-test-token-not-a-secret', logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await gw?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test(`${RUNS} random requests: never a 5xx, series stay within the fixed sets`, async () => {
    const statuses = new Map<number, number>();
    const heapBefore = process.memoryUsage().heapUsed;
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        const withBody = !['GET', 'HEAD', 'OPTIONS'].includes(r.method);
        const res = await gw.app.inject({ method: r.method as 'GET', url: r.path, headers, ...(withBody ? { payload: r.body } : {}) });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        assert.ok(res.statusCode < 500, `${r.method} ${r.path} (${r.contentType}) answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    const text = (await gw.app.inject({ method: 'GET', url: '/metrics' })).body;
    const routes = labelValues(text, 'route');
    const reasons = labelValues(text, 'reason');
    const methods = labelValues(text, 'method');
    const allowedRoutes = new Set(['/predict', '/feedback', '/health', '/ready', '/models', '/metrics', '/admin/fault', 'unmatched']);
    const strayRoutes = [...routes].filter((r) => !allowedRoutes.has(r));
    const strayReasons = [...reasons].filter((r) => !(REJECT_REASONS as readonly string[]).includes(r));
    const series = seriesLines(text).length;
    const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    log.verify(
      'hostile input',
      `${RUNS} random requests to the gateway (fast-check: methods, paths, content types, JSON and non-JSON bodies, tokens)`,
      `statuses ${[...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(
          ', ',
        )}; ${series} series, routes ${routes.size}, reasons ${reasons.size}, methods ${methods.size}; heap ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(0)} MiB`,
      () => {
        assert.deepEqual(strayRoutes, []);
        assert.deepEqual(strayReasons, []);
        assert.deepEqual(
          [...statuses.keys()].filter((s) => s >= 500),
          [],
          'no request makes the gateway fail',
        );
      },
    );
    assert.ok(methods.size <= 7, `methods: ${[...methods].join(',')}`);
    // Bounded by the fixed sets: 8 routes × 7 methods × a handful of statuses × 15 histogram series, not by the number of requests.
    assert.ok(series < 8 * 7 * 8 * 16, `${series} series`);
  });
});

describe('SLO spec parser under mutated and arbitrary input', () => {
  const file = fromRepo('config', 'slos.yaml');
  const real = readFileSync(file, 'utf8');

  // Found by the property below: an alias without its anchor (`*a`) made yaml's
  // toJS() throw a ReferenceError past the parser. It must be an MlmonError with file:line.
  test('an unresolved YAML alias is a spec error with file:line', () => {
    assert.throws(
      () => parseSloSpec('*a', 'slos.yaml'),
      (e: unknown) => isMlmonError(e) && /^slos\.yaml:\d+$/.test(e.location ?? ''),
    );
  });

  test(`${RUNS} mutations of config/slos.yaml and arbitrary YAML: only MlmonError, always with file:line`, () => {
    let accepted = 0;
    let refused = 0;
    const check = (text: string) => {
      try {
        parseSloSpec(text, 'slos.yaml');
        accepted++;
      } catch (e) {
        if (!isMlmonError(e))
          throw new Error(`not an MlmonError (${(e as Error).name}: ${(e as Error).message}) for:\n${text.slice(0, 400)}`);
        assert.match(e.location ?? '', /^slos\.yaml(:\d+)?$/, `location of "${e.message}"`);
        refused++;
      }
    };
    const mutation = fc.record({
      at: fc.nat({ max: real.length }),
      cut: fc.nat({ max: 40 }),
      insert: fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom(': ', '\n- ', '  ', '\t', '{', '[', '*a', '&a', '!!binary x', '99999999999', '-1', 'null', '~', '"', "'"),
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        let t = real;
        for (const m of ms) t = t.slice(0, Math.min(m.at, t.length)) + m.insert + t.slice(Math.min(m.at, t.length) + m.cut);
        check(t);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => check(JSON.stringify(v))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => check(s)),
      { numRuns: RUNS },
    );
    log.verify(
      'hostile input',
      `${3 * RUNS} mutated/arbitrary SLO spec files through parseSloSpec (fast-check)`,
      `${accepted} accepted, ${refused} refused with an MlmonError carrying file:line; nothing else thrown`,
      () => assert.equal(accepted + refused, 3 * RUNS, 'every spec was either accepted or refused with an MlmonError'),
    );
  });
});

describe('ML exporter event consumer under corrupt and odd spool lines', () => {
  let dataDir: string;
  let exporter: RunningExporter;
  let segment = 1;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlmon-rel-ex-'));
    await ensureModel(stackPaths(dataDir).registryDir, 'iris');
    mkdirSync(stackPaths(dataDir).eventsDir, { recursive: true });
    exporter = await startExporter({ host: '127.0.0.1', port: 0, dataDir, releaseSpool: false, logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await exporter?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const goodFeatures = fc.record(
    Object.fromEntries(IRIS_FEATURES.map((f) => [f, fc.double({ min: 0, max: 10, noNaN: true })])) as Record<string, fc.Arbitrary<number>>,
  );
  const event = fc.oneof(
    fc.record({
      type: fc.constant('prediction'),
      id: fc.uuid(),
      ts: fc.integer({ min: 0, max: 4e12 }),
      model: fc.oneof(fc.constant('iris'), fc.string({ maxLength: 8 })),
      version: fc.oneof(fc.constant('v1'), fc.string({ maxLength: 5 })),
      features: fc.oneof(goodFeatures, fc.dictionary(featureName, oddValue, { maxKeys: 8 })),
      prediction: fc.oneof(fc.constantFrom(...IRIS_CLASSES), fc.string({ maxLength: 8 })),
      confidence: oddValue,
    }),
    fc.record({
      type: fc.constant('feedback'),
      id: fc.oneof(fc.uuid(), fc.string()),
      ts: fc.integer(),
      label: fc.oneof(fc.constantFrom(...IRIS_CLASSES), fc.string({ maxLength: 8 })),
      model: fc.constantFrom('iris', 'other'),
      version: fc.string({ maxLength: 4 }),
    }),
  );
  const line = fc.oneof(
    { weight: 4, arbitrary: event.map((e) => JSON.stringify(e)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((s) => s.replaceAll('\n', ' ')) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: event.map((e) => JSON.stringify(e).slice(0, 20)) },
  );

  test(`${soakMode() ? 200 : 40} spool segments of random lines: the exporter never fails and adds no series beyond its catalog`, async () => {
    const runs = soakMode() ? 200 : 40;
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 200 }), async (ls) => {
        // A segment per run; a later one always follows, so a torn tail is final and skipped.
        writeFileSync(
          join(stackPaths(dataDir).eventsDir, segmentFileName(segment++)),
          ls.map((l) => `${l}\n`).join('') + (ls.length % 3 === 0 ? '{"torn":' : ''),
        );
        lines += ls.length;
        await exporter.refresh();
      }),
      { numRuns: runs },
    );
    writeFileSync(join(stackPaths(dataDir).eventsDir, segmentFileName(segment++)), '');
    await exporter.refresh();
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    const models = labelValues(text, 'model');
    const classes = labelValues(text, 'class');
    const features = labelValues(text, 'feature');
    const versions = labelValues(text, 'version');
    const strayClasses = [...classes].filter((c) => !(IRIS_CLASSES as readonly string[]).includes(c) && c !== 'unknown');
    const strayFeatures = [...features].filter((f) => !(IRIS_FEATURES as readonly string[]).includes(f));
    const strayVersions = [...versions].filter((v) => v !== 'v1' && v !== 'unknown');
    const series = seriesLines(text).length;
    log.verify(
      'hostile input',
      `${lines} random spool lines in ${runs} segments (valid, odd-typed, unknown models/classes/features, non-JSON, torn) through the ML exporter`,
      `no failure; ${series} series; label values: models {${[...models].join(', ')}}, classes ${classes.size}, features ${features.size}, versions {${[...versions].join(', ')}}`,
      () => {
        assert.deepEqual([...models], ['iris']);
        assert.deepEqual(strayClasses, []);
        assert.deepEqual(strayFeatures, []);
        assert.deepEqual(strayVersions, []);
      },
    );
  });
});
