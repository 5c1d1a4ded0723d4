/** The end-of-run table and the scenario list, as text. Pure. */
import type { ScenarioResult } from './runner.js';
import { scenarioNumber, type Scenario } from './scenarios.js';
import { formatSeconds } from './theory.js';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function scenarioList(list: readonly Scenario[]): string {
  return table([['#', 'id', 'scenario'], ...list.map((s) => [String(scenarioNumber(s)), s.id, s.title])]);
}

export function resultsTable(results: readonly ScenarioResult[], profile: string): string {
  const rows = [['#', 'scenario', 'result', 'fired after', 'notified after', `theory (${profile})`, 'basis']];
  for (const r of results) {
    const theory =
      r.theory.seconds === undefined ? '-' : `${formatSeconds(r.theory.seconds)} + ≤${formatSeconds(r.theory.pipelineSeconds)}`;
    rows.push([
      String(r.number),
      r.id,
      r.passed ? 'pass' : 'FAIL',
      formatSeconds(r.fireSeconds),
      formatSeconds(r.notifySeconds),
      theory,
      r.theory.basis,
    ]);
  }
  const failed = results.filter((r) => !r.passed);
  const lines = [table(rows)];
  for (const r of results) for (const n of r.notes) lines.push(`  ${r.id}: ${n}`);
  for (const r of failed)
    for (const c of r.checks.filter((c) => !c.ok)) lines.push(`  ${r.id} failed: ${c.what}${c.detail ? ` (${c.detail})` : ''}`);
  lines.push(
    '',
    `${results.length - failed.length}/${results.length} passed. "fired after": fault to firing in Prometheus; "notified after": fault (or silence expiry) to arrival at the receiver;`,
    'theory: detection by the rule or the SRE workbook formula, plus at most one scrape, one evaluation and group_wait on the way to the receiver.',
  );
  return lines.join('\n');
}
