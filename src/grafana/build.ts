/** Every dashboard, from the definitions (pure): the SLO models, the alerting
 * rules' facts, the scrape jobs and the console's address. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Slo } from '../slo/index.js';
import { DASHBOARD_UIDS, type DashboardKey } from './conventions.js';
import type { StackJobs } from './jobs.js';
import type { AlertFacts } from './rules.js';
import { modelHealthDashboard } from './models.js';
import { sloDetailDashboard, sloOverviewDashboard } from './slo.js';
import { gatewayDashboard, hostDashboard, probesDashboard, stackHealthDashboard } from './system.js';

export interface DashboardSources {
  slos: readonly Slo[];
  alerts: ReadonlyMap<string, AlertFacts>;
  jobs: StackJobs;
  consoleUrl: string;
}

export interface BuiltDashboard {
  key: DashboardKey;
  /** File name inside the dashboards folder: the uid, so it never changes. */
  file: string;
  dashboard: Dashboard;
}

export function buildDashboards(src: DashboardSources): BuiltDashboard[] {
  const all: Array<[DashboardKey, Dashboard]> = [
    ['sloOverview', sloOverviewDashboard(src)],
    ['sloDetail', sloDetailDashboard(src)],
    ['modelHealth', modelHealthDashboard(src)],
    ['gateway', gatewayDashboard(src)],
    ['host', hostDashboard(src)],
    ['probes', probesDashboard(src)],
    ['stackHealth', stackHealthDashboard(src)],
  ];
  return all.map(([key, dashboard]) => ({ key, file: `${DASHBOARD_UIDS[key]}.json`, dashboard }));
}

/** Stable JSON: two-space indent and a final newline, so a regeneration with no change rewrites nothing. */
export function dashboardJson(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
