import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  burnRateWindows,
  periodTiling,
  positiveSeconds as parseDuration,
  rangeJustUnder,
  scaleWindow,
  tierDetectionSeconds,
  windowDetectionSeconds,
} from '../../src/slo/windows.js';

describe('ranges', () => {
  it('writes a range one millisecond short of a window', () => {
    assert.equal(rangeJustUnder(3600), '59m59s999ms');
    assert.equal(rangeJustUnder(2592000), '29d23h59m59s999ms');
    assert.equal(parseDuration(rangeJustUnder(86400)), 86400 - 0.001);
  });
});

describe('burnRateWindows', () => {
  const tiers = (period: string, profile: 'production' | 'test') =>
    burnRateWindows(parseDuration(period)!, profile).tiers.map((t) => `${t.speed} ${t.burnRate}x ${t.long.name}/${t.short.name}`);

  it('gives the workbook tiers for a 30-day period', () => {
    assert.deepEqual(tiers('30d', 'production'), ['fast 14.4x 1h/5m', 'fast 6x 6h/30m', 'slow 3x 1d/2h', 'slow 1x 3d/6h']);
  });
  it('scales the windows in proportion with a custom period (7d)', () => {
    assert.deepEqual(tiers('7d', 'production'), ['fast 14.4x 14m/1m10s', 'fast 6x 1h24m/7m', 'slow 3x 5h36m/28m', 'slow 1x 16h48m/1h24m']);
  });
  it('divides the period by 60 in the test profile, with a 20s floor', () => {
    assert.deepEqual(tiers('30d', 'test'), ['fast 14.4x 1m/20s', 'fast 6x 6m/30s', 'slow 3x 24m/2m', 'slow 1x 1h12m/6m']);
    assert.equal(burnRateWindows(parseDuration('30d')!, 'test').period.name, '12h');
    assert.equal(burnRateWindows(parseDuration('7d')!, 'test').period.name, '2h48m');
  });
  it('never makes a pair of equal windows: a long window is at least three short ones', () => {
    // The 7d period's page pair scales to 14s/1s in the test profile, both under the 20s floor.
    assert.deepEqual(tiers('7d', 'test'), ['fast 14.4x 1m/20s', 'fast 6x 1m20s/20s', 'slow 3x 5m40s/30s', 'slow 1x 17m/1m20s']);
    for (const period of ['1d', '7d', '30d', '1y'])
      for (const profile of ['production', 'test'] as const)
        for (const t of burnRateWindows(parseDuration(period)!, profile).tiers)
          assert.ok(t.long.seconds >= 3 * t.short.seconds, `${period} ${profile}: ${t.long.name}/${t.short.name}`);
  });
  it('never goes under the production floor of 1m', () => {
    assert.equal(scaleWindow(300, parseDuration('1d')!, 'production'), 60);
  });
  it('reads windows up to 2h from raw counters, longer ones and the period from the counts', () => {
    const w = burnRateWindows(parseDuration('30d')!, 'production');
    assert.deepEqual(
      w.windows.map((x) => `${x.name}:${x.source}`),
      ['5m:raw', '30m:raw', '1h:raw', '2h:raw', '6h:counts', '1d:counts', '3d:counts'],
    );
    assert.equal(w.tile.name, '5m');
    assert.equal(w.period.name, '30d');
    assert.equal(w.catchUp.name, '2h');
  });
  it('makes every window read from the counts, and the period, a whole number of tiles', () => {
    for (const period of ['30d', '28d', '7d', '1y', '100d', '7d1h', '90d', '13d'])
      for (const profile of ['production', 'test'] as const) {
        const w = burnRateWindows(parseDuration(period)!, profile);
        for (const x of [w.period, ...w.windows.filter((y) => y.source === 'counts')])
          assert.equal(x.seconds % w.tile.seconds, 0, `${period} ${profile}: ${x.name} over ${w.tile.name} tiles`);
      }
  });
  it('spends 2%, 5%, 10% and 10% of the budget before each tier fires', () => {
    const w = burnRateWindows(parseDuration('30d')!, 'production');
    assert.deepEqual(
      w.tiers.map((t) => Math.round(t.budgetSpent * 1000) / 10),
      [2, 5, 10, 10],
    );
  });
});

describe('periodTiling', () => {
  const tile = (period: string, profile: 'production' | 'test' = 'production') => {
    const t = periodTiling(parseDuration(period)!, profile);
    return 'error' in t ? t.error : t.tileSeconds;
  };
  it("tiles the workbook's 30 days in 5 minutes and other periods in proportion", () => {
    assert.equal(tile('30d'), 300);
    assert.equal(tile('7d'), 70);
    assert.equal(tile('28d'), 280);
    assert.equal(tile('30d', 'test'), 20);
  });
  it('picks the nearest tile that divides a period the scaled tile does not', () => {
    assert.equal(tile('1y'), 3650); // 61m would leave 8616.4 tiles
    assert.equal(tile('100d'), 1000);
    assert.equal(tile('7d1h'), 72); // 70s would leave 8691.4 tiles
  });
  it('refuses a period with no whole tiling near its tile, saying what to use', () => {
    assert.match(String(tile('7d1s')), /cannot be split into whole tiles of about 1m10s.*use a period in whole hours or days/);
  });
});

describe('detection times', () => {
  it('detects a total outage of a 99.5% SLO in 4.32 minutes on the 1h/5m pair', () => {
    const w = burnRateWindows(parseDuration('30d')!, 'production');
    assert.equal(Math.round((tierDetectionSeconds(w.tiers[0]!, 0.005, 1) ?? 0) * 100) / 100, 259.2);
    assert.equal(windowDetectionSeconds(3600, 0.072, 0.05), undefined, 'a bad ratio under the threshold never fires');
  });
  it("adds a spec's own for: to the windows' crossing", () => {
    const w = burnRateWindows(parseDuration('30d')!, 'production', [
      { burnRate: 10, longSeconds: 7200, severity: 'critical', orEqual: false, forSeconds: 300 },
    ]);
    assert.equal(Math.round(tierDetectionSeconds(w.tiers[0]!, 0.005, 1) ?? 0), 0.005 * 10 * 7200 + 300);
  });
});
