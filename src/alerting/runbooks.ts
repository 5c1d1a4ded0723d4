/** Runbook links: every alert's runbook_url must land on a heading of docs/RUNBOOKS.md. */

export const RUNBOOK_BASE_URL = 'https://github.com/mlmon/mlmon/blob/main/docs/RUNBOOKS.md';

/** The anchor GitHub gives a Markdown heading: lower case, punctuation other
 * than `-` and `_` dropped, spaces turned into `-`. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every heading anchor of a Markdown document; repeated headings get `-1`,
 * `-2`... as on GitHub. Fenced code blocks are skipped. */
export function markdownAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m?.[1]) continue;
    const base = githubAnchor(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The anchor of a runbook_url when it points at docs/RUNBOOKS.md, else undefined. */
export function runbookAnchor(url: string): string | undefined {
  const prefix = `${RUNBOOK_BASE_URL}#`;
  return url.startsWith(prefix) ? url.slice(prefix.length) : undefined;
}
