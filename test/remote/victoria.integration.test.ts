/** Remote write to a real VictoriaMetrics: the forwarded series arrive, the
 * rest stay local, and after the remote end has been down for a while the
 * samples of the gap arrive from Prometheus's WAL. MLMON_SOAK=1 makes the gap
 * five minutes instead of one. bench/remote/outage.ts prints the same figures. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FORWARDED, measureRemoteWriteOutage, outageLine } from './outage.js';

const GAP_S = process.env.MLMON_SOAK === '1' ? 300 : 60;

test(
  `remote write: forwarded series arrive, others do not, and a ${GAP_S} s outage is backfilled`,
  { timeout: (GAP_S + 240) * 1000 },
  async (t) => {
    const f = await measureRemoteWriteOutage(GAP_S, { keepDir: Boolean(process.env.MLMON_KEEP_TEST_DATA) });
    t.diagnostic(outageLine(f));
    assert.deepEqual(f.forwardedNames, [...FORWARDED].sort());
    assert.equal(f.sloLabels.service, 'inference-gateway', 'labels travel with the series');
    assert.equal(f.sloLabels.cluster, 'local', 'external labels are attached');
    assert.equal(f.localOnlyInPrometheus, 1, 'Prometheus itself has the series that are not forwarded');
    assert.deepEqual(f.leakedNames, [], 'write_relabel_configs drops everything else');
    assert.ok(
      f.scrapeSamples >= f.expectedSamples * 0.95,
      `scrape samples of the gap arrive (${f.scrapeSamples} of ~${f.expectedSamples})`,
    );
    assert.ok(f.largestHoleMs <= 3000, `no hole longer than 3 scrape intervals (largest ${f.largestHoleMs} ms)`);
    assert.ok(
      f.sloSamples >= f.expectedSamples * 0.95,
      `recorded SLO samples of the gap arrive (${f.sloSamples} of ~${f.expectedSamples})`,
    );
  },
);
