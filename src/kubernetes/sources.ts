import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_FILE } from '../definition/index.js';
import { loadSloSpecFile, renderSloRuleFiles } from '../slo/index.js';
import type { RuleFileText } from './prometheus-rule.js';

/** The rule files the manifests carry (reads files): the SLO rules rendered
 * from the spec itself (not from the committed copies, so one `mlmon generate`
 * run is enough), and the hand-written alerting rules. */
export function kubernetesRuleSources(configDir: string): RuleFileText[] {
  const slo = renderSloRuleFiles(loadSloSpecFile(join(configDir, 'slos.yaml')), { profile: 'production' });
  return [
    ...slo.map((f) => ({ name: f.file, content: f.content })),
    { name: RULE_FILE.alerting, content: readFileSync(join(configDir, 'prometheus', RULE_FILE.alerting), 'utf8') },
  ];
}
