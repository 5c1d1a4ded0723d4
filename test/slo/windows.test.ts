import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { burnRateWindows, positiveSeconds as parseDuration, rangeJustUnder, scaleWindow, detectionSeconds } from '../../src/slo/windows.js';

describe('ranges', () => {
  it('writes a range one millisecond short of a window', () => {
    assert.equal(rangeJustUnder(3600), '59m59s999ms');
    assert.equal(rangeJustUnder(840), '13m59s999ms');
    assert.equal(rangeJustUnder(60), '59s999ms');
    assert.equal(rangeJustUnder(2592000), '29d23h59m59s999ms');
    assert.equal(rangeJustUnder(0.5), '499ms');
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
  it('never goes under the production floor of 1m', () => {
    assert.equal(scaleWindow(300, parseDuration('1d')!, 'production'), 60);
  });
  it('reads windows up to 2h from raw counters and longer ones from tiles', () => {
    const w = burnRateWindows(parseDuration('30d')!, 'production');
    assert.deepEqual(
      w.windows.map((x) => `${x.name}:${x.source}`),
      ['5m:raw', '30m:raw', '1h:raw', '2h:raw', '6h:tiles', '1d:tiles', '3d:tiles'],
    );
    assert.equal(w.tile.name, '5m');
    assert.equal(w.period.name, '30d');
  });
  it('keeps a window raw when floors make a short and a long window equal', () => {
    const w = burnRateWindows(parseDuration('1d')!, 'test');
    const names = w.windows.map((x) => x.name);
    assert.equal(new Set(names).size, names.length, 'no duplicate window');
    assert.equal(w.windows[0]?.source, 'raw');
  });
  it('reads the period from coarse tiles: the scaled hour as a whole number of tiles', () => {
    const coarse = (period: string, profile: 'production' | 'test') => {
      const w = burnRateWindows(parseDuration(period)!, profile);
      return `${w.period.source} ${w.tile.name} x${w.tilesPerCoarseTile} = ${w.coarseTile.name}`;
    };
    assert.equal(coarse('30d', 'production'), 'coarse-tiles 5m x12 = 1h');
    assert.equal(coarse('7d', 'production'), 'coarse-tiles 1m10s x12 = 14m');
    assert.equal(coarse('28d', 'production'), 'coarse-tiles 4m40s x12 = 56m');
    assert.equal(coarse('30d', 'test'), 'coarse-tiles 20s x3 = 1m');
    // The floors make the scaled hour (14s) shorter than one 20s tile: two tiles still.
    assert.equal(coarse('7d', 'test'), 'coarse-tiles 20s x2 = 40s');
  });
  it('spends 2%, 5%, 10% and 10% of the budget before each tier fires', () => {
    const w = burnRateWindows(parseDuration('30d')!, 'production');
    assert.deepEqual(
      w.tiers.map((t) => Math.round(t.budgetSpent * 1000) / 10),
      [2, 5, 10, 10],
    );
  });
  it('detects a total outage of a 99.5% SLO in 4.32 minutes on the 1h/5m pair', () => {
    const w = burnRateWindows(parseDuration('30d')!, 'production');
    assert.equal(Math.round(detectionSeconds(w.tiers[0]!, 0.005, 1) * 100) / 100, 259.2);
  });
});
