import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fromRepo } from '../../src/paths.js';
import { loadSloSpecFile, renderSloRuleFiles, writeRuleFiles } from '../../src/slo/index.js';

const run = promisify(execFile);
const RULE_TESTS = fromRepo('test/rules/slo');

/** Runs promtool; on failure the assertion message carries its whole output. */
async function promtool(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') assert.fail('promtool is not installed: run `bash scripts/setup.sh` (Debian: apt-get install prometheus)');
    assert.fail(`promtool ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}

describe('promtool', { concurrency: true }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mlmon-slo-promtool-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('accepts both committed rule files (promtool check rules)', async () => {
    const out = await promtool(['check', 'rules', 'config/prometheus/recording_rules.yml', 'config/prometheus/slo_alerting_rules.yml'], fromRepo());
    assert.equal(out.match(/SUCCESS/g)?.length, 2, out);
  });

  // One promtool per file, all at once: the outage files simulate days of traffic.
  const files = readdirSync(RULE_TESTS).filter((f) => f.endsWith('.yml')).sort();
  it('finds the rule unit tests', () => assert.ok(files.length >= 8, files.join(', ')));
  for (const file of files) {
    it(`passes test/rules/slo/${file} (promtool test rules)`, async () => {
      const out = await promtool(['test', 'rules', file], RULE_TESTS);
      assert.match(out, /SUCCESS/);
    });
  }

  it('passes the test-profile rule tests against rules rendered with { profile: "test" }', async () => {
    const dir = join(tmp, 'test-profile');
    writeRuleFiles(dir, renderSloRuleFiles(loadSloSpecFile(fromRepo('config/slos.yaml')), { profile: 'test' }));
    const checked = await promtool(['check', 'rules', 'recording_rules.yml', 'slo_alerting_rules.yml'], dir);
    assert.equal(checked.match(/SUCCESS/g)?.length, 2, checked);
    const testFile = 'slo-test-profile.yml';
    copyFileSync(join(RULE_TESTS, 'test-profile', testFile), join(dir, testFile));
    assert.match(await promtool(['test', 'rules', testFile], dir), /SUCCESS/);
  });
});
