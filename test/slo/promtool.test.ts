import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { fromRepo } from '../../src/paths.js';
import { buildSloModels, GROUP_NAMES, loadSloSpecFile, renderSloRuleFiles, writeRuleFiles } from '../../src/slo/index.js';

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
    const out = await promtool(
      ['check', 'rules', 'config/prometheus/recording_rules.yml', 'config/prometheus/slo_alerting_rules.yml'],
      fromRepo(),
    );
    assert.equal(out.match(/SUCCESS/g)?.length, 2, out);
  });

  // One promtool per file, all at once: the outage files simulate days of traffic.
  const files = readdirSync(RULE_TESTS)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  it('finds the rule unit tests', () => assert.ok(files.length >= 8, files.join(', ')));
  for (const file of files) {
    it(`passes test/rules/slo/${file} (promtool test rules)`, async () => {
      const out = await promtool(['test', 'rules', file], RULE_TESTS);
      assert.match(out, /SUCCESS/);
    });
  }

  /** Runs the cases of test/rules/slo/<folder> against the committed recording rules
   * without the named groups, whose series the cases feed in as input instead. */
  async function withoutGroups(folder: string, dropped: (slo: ReturnType<typeof buildSloModels>[number]) => string[]): Promise<void> {
    const dir = join(tmp, folder);
    mkdirSync(dir);
    const drop = new Set(buildSloModels(loadSloSpecFile(fromRepo('config/slos.yaml')), 'production').flatMap(dropped));
    const rules = parse(readFileSync(fromRepo('config/prometheus/recording_rules.yml'), 'utf8')) as { groups: { name: string }[] };
    const kept = rules.groups.filter((g) => !drop.has(g.name));
    assert.equal(kept.length, rules.groups.length - drop.size, 'every group to leave out was found');
    writeFileSync(join(dir, 'recording_rules.yml'), stringify({ groups: kept }, { lineWidth: 0 }));
    const tests = readdirSync(join(RULE_TESTS, folder))
      .filter((f) => f.endsWith('.yml'))
      .sort();
    assert.ok(tests.length >= 1, `no cases under test/rules/slo/${folder}`);
    for (const f of tests) copyFileSync(join(RULE_TESTS, folder, f), join(dir, f));
    const out = await promtool(['test', 'rules', ...tests], dir);
    assert.equal(out.match(/SUCCESS/g)?.length, tests.length, out);
  }

  it("passes the coarse-tile rule tests at the coarse tiles' own pace (committed rules without the fine tile groups)", () =>
    withoutGroups('coarse-tiles', (s) => [GROUP_NAMES.sloTiles(s.service, s.name)]));

  it('passes the young-stack rule tests (committed rules without any tile group: no hourly tile recorded yet)', () =>
    withoutGroups('young-stack', (s) => [GROUP_NAMES.sloTiles(s.service, s.name), GROUP_NAMES.sloCoarseTiles(s.service, s.name)]));

  it('passes the OpenSLO alert policy rule tests against rules rendered from test/slo/fixtures/openslo-burn-policies.yaml', async () => {
    const dir = join(tmp, 'openslo');
    writeRuleFiles(
      dir,
      renderSloRuleFiles(loadSloSpecFile(fromRepo('test/slo/fixtures/openslo-burn-policies.yaml')), { profile: 'production' }),
    );
    const checked = await promtool(['check', 'rules', 'recording_rules.yml', 'slo_alerting_rules.yml'], dir);
    assert.equal(checked.match(/SUCCESS/g)?.length, 2, checked);
    const testFile = 'openslo-burn-policies.yml';
    copyFileSync(join(RULE_TESTS, 'openslo', testFile), join(dir, testFile));
    assert.match(await promtool(['test', 'rules', testFile], dir), /SUCCESS/);
  });

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
