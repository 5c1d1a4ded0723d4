/** Prometheus instant-vector selectors as the spec writes them:
 * `http_requests_total{job="inference-gateway", status=~"5.."}`. */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Parses a selector, or returns the reason it is not one. */
export function parseSelector(text: string): Selector | { error: string } {
  let rest = text.trim();
  const name = NAME.exec(rest);
  if (!name) return { error: 'must start with a metric name, such as http_requests_total{job="api"}' };
  rest = rest.slice(name[0].length).trimStart();
  const matchers: Matcher[] = [];
  if (rest === '') return { metric: name[0], matchers };
  if (!rest.startsWith('{')) {
    return {
      error: `must be a plain metric selector (metric{label="value"}), without functions or ranges; found "${rest}" after the name`,
    };
  }
  rest = rest.slice(1).trimStart();
  while (!rest.startsWith('}')) {
    const label = LABEL.exec(rest);
    if (!label) return { error: `expected a label name at "${rest}"` };
    rest = rest.slice(label[0].length).trimStart();
    const op = /^(=~|!~|!=|=)/.exec(rest);
    if (!op) return { error: `expected =, !=, =~ or !~ after label ${label[0]}` };
    rest = rest.slice(op[0].length).trimStart();
    const value = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (!value) return { error: `the value of label ${label[0]} must be a double-quoted string` };
    const unquoted = unquote(value[1] ?? '');
    if (unquoted === undefined) return { error: `the value of label ${label[0]} has an invalid escape sequence` };
    matchers.push({ label: label[0], op: op[0] as MatchOp, value: unquoted });
    rest = rest.slice(value[0].length).trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (!rest.startsWith('}')) return { error: `expected "," or "}" at "${rest}"` };
  }
  if (rest.slice(1).trim() !== '') return { error: `unexpected text after "}": "${rest.slice(1).trim()}"` };
  return { metric: name[0], matchers };
}

// PromQL strings use Go escapes; JSON's are the same for everything a selector needs.
function unquote(body: string): string | undefined {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return undefined;
  }
}

export function isSelector(value: Selector | { error: string }): value is Selector {
  return !('error' in value);
}

/** Canonical PromQL text: `metric{a="x",b=~"y"}`. */
export function formatSelector(sel: Selector): string {
  if (sel.matchers.length === 0) return sel.metric;
  const inner = sel.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(',');
  return `${sel.metric}{${inner}}`;
}

export function withMetric(sel: Selector, metric: string): Selector {
  return { metric, matchers: sel.matchers };
}

export function withMatcher(sel: Selector, m: Matcher): Selector {
  return { metric: sel.metric, matchers: [...sel.matchers.filter((x) => x.label !== m.label), m] };
}

export function withoutLabel(sel: Selector, label: string): Selector {
  return { metric: sel.metric, matchers: sel.matchers.filter((x) => x.label !== label) };
}
