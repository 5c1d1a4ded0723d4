/** The only place that turns rule groups into YAML text, and the model into the catalog. */
import { stringify } from 'yaml';
import { alertRuleGroups } from './alert-rules.js';
import { CATALOG_FILE, GENERATED_HEADER } from './conventions.js';
import { buildSloModels, type Slo } from './model.js';
import { recordingRuleGroups } from './recording-rules.js';
import type { RuleGroup } from './rules.js';
import type { SloSpec } from './spec.js';
import { RULE_FILE, TEST_PROFILE_FACTOR, type Profile } from '../definition/index.js';

export interface RenderedFile {
  /** Relative to config/prometheus/. */
  file: string;
  content: string;
}

function header(profile: Profile, what: string): string {
  const lines = [GENERATED_HEADER, `# ${what}`];
  if (profile === 'test') {
    lines.push(`# Test profile: every SLO period divided by ${TEST_PROFILE_FACTOR}, windows in proportion (docs/SLO_TRACKING.md).`);
  }
  return lines.join('\n') + '\n';
}

export function renderRuleGroups<R>(groups: readonly RuleGroup<R>[], head: string): string {
  return head + stringify({ groups }, { lineWidth: 0, indent: 2, indentSeq: true, aliasDuplicateObjects: false });
}

/** The catalog the console reads: the models the rules were rendered from. */
export interface SloCatalogFile {
  generatedBy: string;
  profile: Profile;
  slos: Slo[];
}

export function renderCatalog(slos: readonly Slo[], profile: Profile): string {
  const file: SloCatalogFile = { generatedBy: GENERATED_HEADER.replace(/^# /, ''), profile, slos: [...slos] };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Both SLO rule files and the catalog for a spec. Pure: the same spec gives the same bytes. */
export function renderSloRuleFiles(spec: SloSpec, opts: { profile: Profile }): RenderedFile[] {
  const slos = buildSloModels(spec, opts.profile);
  return [
    {
      file: RULE_FILE.sloRecording,
      content: renderRuleGroups(
        recordingRuleGroups(slos),
        header(
          opts.profile,
          'Recording rules: per SLO, event counts recorded once per tile, and the windows, period and budget read from them.',
        ),
      ),
    },
    {
      file: RULE_FILE.sloAlerting,
      content: renderRuleGroups(
        alertRuleGroups(slos),
        header(opts.profile, 'Multiwindow multi-burn-rate SLO alerts (Google SRE workbook), and the alerts that say an SLO has no data.'),
      ),
    },
    { file: CATALOG_FILE, content: renderCatalog(slos, opts.profile) },
  ];
}
