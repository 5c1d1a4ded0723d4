/** `mlmon slo ...`: render the SLO rules alone, check them, and show the windows.
 * (`mlmon generate`, owned by the stack, renders these files along with the rest.) */
import type { Command } from 'commander';
import { MlmonError } from '../errors.js';
import { fromRepo } from '../paths.js';
import { staleRuleFiles, writeRuleFiles } from './files.js';
import { buildSloModels } from './model.js';
import { renderSloRuleFiles } from './render.js';
import { loadSloSpecFile } from './loader.js';
import type { Profile } from '../definition/index.js';
import { secondsText, tierDetectionSeconds } from './windows.js';

function profileOf(value: string): Profile {
  if (value !== 'production' && value !== 'test') {
    throw new MlmonError('slo-profile', `unknown profile "${value}"`, { hint: 'Use --profile production or --profile test.' });
  }
  return value;
}

export function registerSloCommands(program: Command): void {
  const slo = program.command('slo').description('SLOs as code: rules from config/slos.yaml');

  slo
    .command('rules')
    .description('write recording_rules.yml and slo_alerting_rules.yml from the SLO spec')
    .option('--spec <file>', 'SLO spec', fromRepo('config/slos.yaml'))
    .option('--out <dir>', 'output folder', fromRepo('config/prometheus'))
    .option('--profile <profile>', 'production or test (periods divided by 60)', 'production')
    .option('--check', 'write nothing; exit 1 when the files on disk are stale')
    .action((opts: { spec: string; out: string; profile: string; check?: boolean }) => {
      const files = renderSloRuleFiles(loadSloSpecFile(opts.spec), { profile: profileOf(opts.profile) });
      if (opts.check) {
        const stale = staleRuleFiles(opts.out, files);
        if (stale.length > 0) {
          throw new MlmonError('slo-rules-stale', `stale generated files: ${stale.join(', ')}`, {
            location: opts.out,
            hint: 'Run `mlmon generate` (or `mlmon slo rules`) and commit the result.',
          });
        }
        process.stdout.write('SLO rule files are up to date.\n');
        return;
      }
      for (const path of writeRuleFiles(opts.out, files)) process.stdout.write(`wrote ${path}\n`);
    });

  slo
    .command('windows')
    .description("show each SLO's burn-rate windows, thresholds and detection times")
    .option('--spec <file>', 'SLO spec', fromRepo('config/slos.yaml'))
    .option('--profile <profile>', 'production or test', 'production')
    .option('--json', 'print JSON')
    .action((opts: { spec: string; profile: string; json?: boolean }) => {
      const slos = buildSloModels(loadSloSpecFile(opts.spec), profileOf(opts.profile));
      const rows = slos.flatMap((s) =>
        s.windows.tiers.map((t) => ({
          service: s.service,
          slo: s.name,
          period: s.windows.period.name,
          speed: t.speed,
          severity: t.severity,
          burnRate: t.burnRate,
          orEqual: t.orEqual,
          forSeconds: t.forSeconds ?? 0,
          long: t.long.name,
          short: t.short.name,
          budgetSpent: `${Number((t.budgetSpent * 100).toPrecision(6))}%`,
          // A total outage: every request is bad.
          detectTotalOutageSeconds: Math.round(tierDetectionSeconds(t, s.errorBudget, 1) ?? Number.NaN),
        })),
      );
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const head = ['service', 'slo', 'period', 'speed', 'severity', 'burn', 'long', 'short', 'for', 'budget', 'outage detected after'];
      const lines = rows.map((r) => [
        r.service,
        r.slo,
        r.period,
        r.speed,
        r.severity,
        `${r.orEqual ? '>=' : '>'}${r.burnRate}x`,
        r.long,
        r.short,
        r.forSeconds ? secondsText(r.forSeconds) : '-',
        r.budgetSpent,
        `${r.detectTotalOutageSeconds}s`,
      ]);
      const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
      for (const l of [head, ...lines])
        process.stdout.write(
          l
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd() + '\n',
        );
    });
}
