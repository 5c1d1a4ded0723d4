/** What every mlmon dashboard shares: uid, tags, time settings, the hidden
 * console variable, and a link row to the other mlmon dashboards. */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  ConstantVariableBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  RowBuilder,
  VariableHide,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type VariableModel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { CONSOLE_VARIABLE, DASHBOARD_TAG, DASHBOARD_UIDS, DASHBOARDS_HEADER, DATASOURCE_REF, type DashboardKey } from './conventions.js';

export interface Section {
  /** A collapsible row title; undefined puts the panels above every row. */
  row?: string;
  panels: Array<cog.Builder<Panel>>;
}

export interface DashboardInput {
  key: DashboardKey;
  title: string;
  /** What the dashboard shows, for a person (the generated-file header follows it). */
  about: string;
  sections: Section[];
  variables?: Array<cog.Builder<VariableModel>>;
  annotations?: Array<cog.Builder<import('@grafana/grafana-foundation-sdk/dashboard').AnnotationQuery>>;
  /** Default time range, `now-<from>` to now. */
  from: string;
  consoleUrl: string;
}

/** `label_values(...)` variable over the provisioned datasource. */
export function queryVariable(name: string, label: string, query: string, opts: { includeAll?: boolean } = {}): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE_REF)
    .query(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .includeAll(opts.includeAll ?? false);
}

export function buildDashboard(d: DashboardInput): Dashboard {
  const b = new DashboardBuilder(d.title)
    .uid(DASHBOARD_UIDS[d.key])
    .description(`${d.about} ${DASHBOARDS_HEADER}`)
    .tags([DASHBOARD_TAG])
    .readonly()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: `now-${d.from}`, to: 'now' })
    .timezone('browser')
    .refresh('30s')
    .link(
      new DashboardLinkBuilder('mlmon dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .keepTime(true)
        .includeVars(false),
    )
    .link(new DashboardLinkBuilder('mlmon console').type(DashboardLinkType.Link).url(`\${${CONSOLE_VARIABLE}}`).targetBlank(true))
    .withVariable(
      new ConstantVariableBuilder(CONSOLE_VARIABLE)
        .label('Console address')
        .description('Where the mlmon console answers; panel links open its pages.')
        .value(d.consoleUrl),
    );
  for (const v of d.variables ?? []) b.withVariable(v);
  for (const a of d.annotations ?? []) b.annotation(a);
  for (const s of d.sections) {
    if (s.row !== undefined) b.withRow(new RowBuilder(s.row));
    for (const p of s.panels) b.withPanel(p);
  }
  const out = b.build();
  // Grafana keys panel state (links, edits, `viewPanel=`) by id: number them in order, stable across regenerations.
  let id = 0;
  for (const p of out.panels ?? []) {
    p.id = ++id;
    for (const inner of 'panels' in p ? p.panels : []) inner.id = ++id;
  }
  // Constant variables are hidden from the toolbar by Grafana itself; say so in the JSON too.
  for (const v of out.templating.list ?? []) if (v.type === 'constant') v.hide = VariableHide.HideVariable;
  return out;
}
