/** What the dashboards take from the alerting rules: the runbook of an alert,
 * its severity and the threshold its expression compares against, so a panel
 * draws the line the alert fires at instead of a number of its own. Pure. */
import { parse } from 'yaml';
import { MlmonError } from '../errors.js';

export interface AlertFacts {
  name: string;
  severity: string;
  runbookUrl: string | undefined;
  /** The number the expression compares against (`> 0.05` → 0.05), when it has one. */
  threshold: number | undefined;
}

interface RuleFile {
  groups?: Array<{
    rules?: Array<{ alert?: string; expr?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
  }>;
}

/** A number such as `0.05`, `14 * 86400` or `24 * 3600`: what rule files write. */
const NUMBER = String.raw`\d+(?:\.\d+)?(?:\s*\*\s*\d+(?:\.\d+)?)*`;
/** The first comparison of an expression against a plain number (not `> bool`,
 * not a comparison of two series). */
const COMPARISON = new RegExp(String.raw`(?:>=|<=|==|!=|>|<)\s*(${NUMBER})(?![\w.(\[])`);

export function comparisonThreshold(expr: string): number | undefined {
  const m = COMPARISON.exec(expr);
  if (!m?.[1]) return undefined;
  return m[1].split('*').reduce((acc, f) => acc * Number(f.trim()), 1);
}

/** Every alerting rule of a rule file's text, by name (the first rule of a name wins). */
export function alertFactsOf(ruleFileText: string, file: string): Map<string, AlertFacts> {
  let doc: RuleFile;
  try {
    doc = (parse(ruleFileText) ?? {}) as RuleFile;
  } catch (e) {
    throw new MlmonError('grafana-rules-unreadable', `${file}: ${(e as Error).message}`, { location: file });
  }
  const out = new Map<string, AlertFacts>();
  for (const g of doc.groups ?? []) {
    for (const r of g.rules ?? []) {
      if (!r.alert || out.has(r.alert)) continue;
      out.set(r.alert, {
        name: r.alert,
        severity: r.labels?.severity ?? 'warning',
        runbookUrl: r.annotations?.runbook_url,
        threshold: r.expr ? comparisonThreshold(r.expr) : undefined,
      });
    }
  }
  return out;
}

/** The facts of an alert a dashboard relies on; a missing alert is a broken
 * promise between the dashboards and the rules, so it fails the generation. */
export function requireAlert(alerts: ReadonlyMap<string, AlertFacts>, name: string, what: 'threshold' | 'runbook'): AlertFacts {
  const a = alerts.get(name);
  if (!a || (what === 'threshold' && a.threshold === undefined)) {
    throw new MlmonError(
      'grafana-alert-missing',
      `the dashboards draw the ${what} of alert ${name}, which ${a ? 'compares against no plain number' : 'is not in the alerting rules'}`,
      { hint: 'Keep the alert (or change the dashboard that draws it) and run `mlmon generate` again.' },
    );
  }
  return a;
}
