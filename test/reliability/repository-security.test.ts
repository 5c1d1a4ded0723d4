import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../../src/paths.js';
import { FindingLog, repositoryFiles, scanForSecrets } from '../support/reliability/index.js';

const log = new FindingLog('repository-security');
after(() => log.save());

test('no credential-shaped string in what git would commit (sources, docs, committed generated configs)', () => {
  const files = repositoryFiles(repoRoot);
  const findings = scanForSecrets(files, [], repoRoot);
  log.verify(
    'security',
    'secret scan of the repository (Slack/GitHub/npm/AWS tokens, private keys, Slack webhooks)',
    `${files.length} files, ${findings.length} findings${
      findings.length
        ? `: ${findings
            .slice(0, 5)
            .map((f) => `${f.file}:${f.line} ${f.what}`)
            .join('; ')}`
        : ''
    }`,
    () => assert.deepEqual(findings, []),
  );
});

test('.env is git-ignored, and owner-only when present', () => {
  const ignored = spawnSync('git', ['check-ignore', '-q', '.env'], { cwd: repoRoot }).status === 0;
  const env = join(repoRoot, '.env');
  const mode = existsSync(env) ? (statSync(env).mode & 0o777).toString(8) : 'absent';
  log.verify('security', '.env (notification credentials) kept out of git', `git-ignored: ${ignored}; file mode: ${mode}`, () => {
    assert.ok(ignored);
    if (mode !== 'absent') assert.equal(mode, '600', '.env should be chmod 600');
  });
});

test('npm audit: no high or critical vulnerability in production dependencies', (t) => {
  const r = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { cwd: repoRoot, encoding: 'utf8', timeout: 90_000 });
  let report: { vulnerabilities?: Record<string, { severity: string }>; error?: { code?: string; summary?: string }; message?: string } =
    {};
  try {
    report = JSON.parse(r.stdout) as typeof report;
  } catch {
    /* no JSON: handled below */
  }
  if (report.error || r.error || !report.vulnerabilities) {
    const why =
      report.message ??
      report.error?.summary ??
      report.error?.code ??
      r.error?.message ??
      (r.stderr.trim().split('\n').pop() || 'no answer');
    log.skip(
      t,
      'security',
      'npm audit --omit=dev --audit-level=high',
      `the registry's audit endpoint did not answer (${why.slice(0, 160)})`,
    );
    return;
  }
  const bySeverity: Record<string, number> = {};
  for (const v of Object.values(report.vulnerabilities)) bySeverity[v.severity] = (bySeverity[v.severity] ?? 0) + 1;
  const serious = (bySeverity.high ?? 0) + (bySeverity.critical ?? 0);
  log.verify(
    'security',
    'npm audit --omit=dev --audit-level=high',
    `${Object.keys(report.vulnerabilities).length} advisories (${
      Object.entries(bySeverity)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }); high+critical ${serious}`,
    () => assert.equal(serious, 0, JSON.stringify(bySeverity)),
  );
});
