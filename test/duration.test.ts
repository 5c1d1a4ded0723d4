import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFlag, durationSeconds, formatDuration, parseDuration, tryParseDuration } from '../src/duration.js';
import { isMlmonError } from '../src/errors.js';

describe('Prometheus durations', () => {
  const cases: Array<[string, number]> = [
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['30d', 2_592_000_000],
    ['1h12m', 4_320_000],
    ['1m10s', 70_000],
    ['16h48m', 60_480_000],
    ['2w', 1_209_600_000],
    ['1y', 31_536_000_000],
    ['300ms', 300],
    ['1s500ms', 1500],
    ['29d23h59m59s999ms', 2_592_000_000 - 1],
    ['0', 0],
    ['0s', 0],
  ];
  for (const [text, ms] of cases) {
    it(`${text} is ${ms} ms`, () => assert.equal(tryParseDuration(text), ms));
  }

  it('prints the shortest form, which parses back to the same value', () => {
    for (const [text, ms] of cases) {
      const printed = formatDuration(ms);
      assert.equal(tryParseDuration(printed), ms, `${text} -> ${printed}`);
    }
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(14 * 86_400_000), '14d');
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(1499.6), '1s500ms');
  });

  it('refuses what Prometheus refuses: decimals, bare numbers, spaces, signs, units out of order or twice', () => {
    for (const bad of ['', '30', '1.5h', '5 m', ' 5m', '-1h', '+1h', 'd', '1m1h', '1h1h', '1ms1s', '1H', '5min', 'soon']) {
      assert.equal(tryParseDuration(bad), undefined, bad);
    }
  });

  it('throws a message that names the input and says how to write it', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        assert.ok(isMlmonError(e));
        return e.format();
      }
      assert.fail('did not throw');
    };
    assert.match(
      err(() => parseDuration('30', '--duration')),
      /--duration: "30" is not a duration\n.*30s/,
    );
    assert.match(
      err(() => parseDuration('1.5h', 'period')),
      /1h30m/,
    );
    assert.match(
      err(() => parseDuration('0s', '--interval', { positive: true })),
      /--interval: must be longer than zero/,
    );
    assert.equal(parseDuration(' 2m '), 120_000, 'surrounding space is trimmed');
    assert.equal(durationSeconds('500ms'), 0.5);
  });

  it('a flag parser refuses zero by default', () => {
    assert.equal(durationFlag('--interval')('5s'), 5000);
    assert.throws(() => durationFlag('--interval')('0s'), /longer than zero/);
    assert.equal(durationFlag('--delay', { positive: false })('0s'), 0);
  });
});
