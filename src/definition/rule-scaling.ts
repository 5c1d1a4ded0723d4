/** The test profile's view of the hand-written alerting rules: the same alerts,
 * with every `for:` and every range window divided by the profile factor, so
 * that a fault fires its alert within seconds instead of minutes. Pure. */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { formatDuration, tryParseDuration } from '../duration.js';
import { TEST_PROFILE_FACTOR } from './profile.js';
import { RULE_FILE } from './rule-files.js';

export interface RuleScaling {
  /** Every duration is divided by this (the SLO generator's TEST_PROFILE_FACTOR). */
  factor: number;
  /** Shortest `for:`: long enough that one failed scrape at a 1 s interval does
   * not fire anything, and shorter than the 5 s of TargetMissing so that
   * ServiceDown (1m → floor) fires first and inhibits it, as in production. */
  forFloorSeconds: number;
  /** Shortest range window: a test stack scrapes every second, so 20 s holds
   * enough samples for rate() (the SLO generator uses the same floor). */
  rangeFloorSeconds: number;
}

export const TEST_RULE_SCALING: Readonly<RuleScaling> = Object.freeze({
  factor: TEST_PROFILE_FACTOR,
  forFloorSeconds: 3,
  rangeFloorSeconds: 20,
});

/** A duration divided by `factor`, at least `floor` seconds, in whole seconds. */
function scaled(text: string, factor: number, floor: number): string {
  const ms = tryParseDuration(text);
  if (ms === undefined || ms === 0) return text;
  return formatDuration(1000 * Math.max(floor, Math.round(ms / 1000 / factor)));
}

/** Divides the range of every `[range]` and `[range:step]` selector of a PromQL
 * expression. Offsets are left alone: none of our rules uses one. */
export function scaleRanges(expr: string, scaling: RuleScaling): string {
  return expr.replace(/\[([0-9smhdwy]+)(?::([0-9smhdwy]*))?\]/g, (whole, range: string, step: string | undefined) => {
    if (tryParseDuration(range) === undefined) return whole;
    const r = scaled(range, scaling.factor, scaling.rangeFloorSeconds);
    if (step === undefined) return `[${r}]`;
    return step === '' ? `[${r}:]` : `[${r}:${scaled(step, scaling.factor, 1)}]`;
  });
}

export const TEST_RULES_HEADER = `# Rendered by \`mlmon up\` (test profile) from config/prometheus/${RULE_FILE.alerting}, every for: and range window divided by {factor} (floors: for {forFloor}s, ranges {rangeFloor}s). Do not edit.`;

/** The alerting rules file with its alerts' durations scaled (comments kept). */
export function scaleAlertingRulesForTest(text: string, scaling: RuleScaling = TEST_RULE_SCALING): string {
  const doc = parseDocument(text);
  // A broken file goes through as written, so validation reports it at its own file:line.
  if (doc.errors.length > 0) return text;
  const groups = doc.get('groups');
  if (isSeq(groups)) {
    for (const group of groups.items) {
      if (!isMap(group)) continue;
      const rules = group.get('rules');
      if (!isSeq(rules)) continue;
      for (const rule of rules.items) {
        if (!isMap(rule)) continue;
        // Recording rules keep their windows: their names promise them (`…:rate5m`).
        if (!rule.has('alert')) continue;
        const expr = rule.get('expr', true);
        if (isScalar(expr) && typeof expr.value === 'string') expr.value = scaleRanges(expr.value, scaling);
        const forNode = rule.get('for', true);
        if (isScalar(forNode) && typeof forNode.value === 'string') {
          forNode.value = scaled(forNode.value, scaling.factor, scaling.forFloorSeconds);
        }
      }
    }
  }
  const header = TEST_RULES_HEADER.replace('{factor}', String(scaling.factor))
    .replace('{forFloor}', String(scaling.forFloorSeconds))
    .replace('{rangeFloor}', String(scaling.rangeFloorSeconds));
  const lines = doc.toString({ lineWidth: 0 }).split('\n');
  // The header takes the place of the source's first comment line, so that an
  // error reported at run/…/alerting_rules.yml:N is line N of the source too.
  if (lines[0]?.startsWith('#')) lines[0] = header;
  else lines.unshift(header);
  return lines.join('\n');
}
