import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderServiceRecordingRules, RULE_FILE } from '../definition/index.js';
import { loadSloSpecFile, renderSloRuleFiles } from '../slo/index.js';
import type { RuleFileText } from './prometheus-rule.js';

/** The rule files the manifests carry (reads files): the SLO rules rendered
 * from the spec itself (not from the committed copies, so one `mlmon generate`
 * run is enough), the service series of the stack definition, and the
 * hand-written alerting rules. */
export function kubernetesRuleSources(configDir: string): RuleFileText[] {
  const slo = renderSloRuleFiles(loadSloSpecFile(join(configDir, 'slos.yaml')), { profile: 'production' });
  const sloRuleFiles: readonly string[] = [RULE_FILE.sloRecording, RULE_FILE.sloAlerting];
  return [
    ...slo.filter((f) => sloRuleFiles.includes(f.file)).map((f) => ({ name: f.file, content: f.content })),
    { name: RULE_FILE.serviceRecording, content: renderServiceRecordingRules() },
    { name: RULE_FILE.alerting, content: readFileSync(join(configDir, 'prometheus', RULE_FILE.alerting), 'utf8') },
  ];
}
