import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fromRepo } from '../../src/paths.js';
import { loadSloSpecFile, renderSloRuleFiles, writeRuleFiles } from '../../src/slo/index.js';
import { RULE_FILE, RULE_FILES } from '../../src/definition/index.js';

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

// The cases do not read config/slos.yaml: each folder of test/rules/slo/ holds the
// spec its cases are written for (slos.yaml), rendered here into a temporary folder
// beside them (the test profile for test-profile*/), so a user who changes the
// shipped objectives keeps these cases green, and the cases keep testing the generator.
describe('promtool', { concurrency: true }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mlmon-slo-promtool-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('accepts the committed rule files (promtool check rules)', async () => {
    const files = RULE_FILES.map((f) => `config/prometheus/${f}`);
    const out = await promtool(['check', 'rules', ...files], fromRepo());
    assert.equal(out.match(/SUCCESS/g)?.length, files.length, out);
  });

  const folders = readdirSync(RULE_TESTS, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(RULE_TESTS, d.name, 'slos.yaml')))
    .map((d) => d.name)
    .sort();
  it('finds the rule test folders', () => assert.ok(folders.length >= 4, folders.join(', ')));

  for (const folder of folders) {
    const profile = folder.startsWith('test-profile') ? 'test' : 'production';
    const source = join(RULE_TESTS, folder);
    const dir = join(tmp, folder);
    mkdirSync(dir);
    writeRuleFiles(dir, renderSloRuleFiles(loadSloSpecFile(join(source, 'slos.yaml')), { profile }));
    const cases = readdirSync(source)
      .filter((f) => f.endsWith('.yml'))
      .sort();
    it(`renders test/rules/slo/${folder}/slos.yaml into rules promtool accepts`, async () => {
      const out = await promtool(['check', 'rules', RULE_FILE.sloRecording, RULE_FILE.sloAlerting], dir);
      assert.equal(out.match(/SUCCESS/g)?.length, 2, out);
      assert.ok(cases.length >= 1, `no cases under test/rules/slo/${folder}`);
    });
    // One promtool per file, all at once: some files simulate days of traffic.
    for (const file of cases) {
      it(`passes test/rules/slo/${folder}/${file} (promtool test rules, ${profile} profile)`, async () => {
        copyFileSync(join(source, file), join(dir, file));
        assert.match(await promtool(['test', 'rules', file], dir), /SUCCESS/);
      });
    }
  }
});
