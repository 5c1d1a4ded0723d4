/** The only place that turns rule groups into YAML text. */
import { stringify } from 'yaml';
import { alertRuleGroups } from './alert-rules.js';
import { GENERATED_HEADER } from './conventions.js';
import { buildSloModels } from './model.js';
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

/** Both SLO rule files for a spec. Pure: the same spec gives the same bytes. */
export function renderSloRuleFiles(spec: SloSpec, opts: { profile: Profile }): RenderedFile[] {
  const slos = buildSloModels(spec, opts.profile);
  return [
    {
      file: RULE_FILE.sloRecording,
      content: renderRuleGroups(
        recordingRuleGroups(slos),
        header(opts.profile, 'Recording rules: SLO tiles, windows and budgets; http:* and container:* series.'),
      ),
    },
    {
      file: RULE_FILE.sloAlerting,
      content: renderRuleGroups(
        alertRuleGroups(slos),
        header(opts.profile, 'Multiwindow multi-burn-rate SLO alerts (Google SRE workbook).'),
      ),
    },
  ];
}
