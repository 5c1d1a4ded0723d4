/** The definitions the dashboards are generated from (reads files): the SLO
 * spec, rendered into models for a profile, and the alerting rules. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PORTS, type Profile } from '../definition/index.js';
import { buildSloModels, loadSloSpecFile } from '../slo/index.js';
import type { DashboardSources } from './build.js';
import { stackJobs } from './jobs.js';
import { alertFactsOf } from './rules.js';

/** The console where a default stack serves it (loopback, its default port). */
export const DEFAULT_CONSOLE_URL = `http://127.0.0.1:${DEFAULT_PORTS.console}`;

export function dashboardSources(configDir: string, opts: { profile?: Profile; consoleUrl?: string } = {}): DashboardSources {
  const rulesFile = join(configDir, 'prometheus', 'alerting_rules.yml');
  return {
    slos: buildSloModels(loadSloSpecFile(join(configDir, 'slos.yaml')), opts.profile ?? 'production'),
    alerts: alertFactsOf(readFileSync(rulesFile, 'utf8'), rulesFile),
    jobs: stackJobs(),
    consoleUrl: opts.consoleUrl ?? DEFAULT_CONSOLE_URL,
  };
}
