/** The HTML shell of every page: header, navigation, a banner for upstream
 * errors and an empty main the page's script fills. Static, so the first paint
 * needs no data. Pure. */

/** Every page; each loads its own script, `/assets/<page>.js`. */
export const PAGE_NAMES = ['slos', 'slo', 'models', 'model', 'alerts'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

const CHARTS: ReadonlySet<PageName> = new Set(['slo', 'model']);

const NAV: Array<{ page: PageName; href: string; label: string; also: PageName[] }> = [
  { page: 'slos', href: '/slos', label: 'SLOs', also: ['slo'] },
  { page: 'models', href: '/models', label: 'Model health', also: ['model'] },
  { page: 'alerts', href: '/alerts', label: 'Alerts', also: [] },
];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function pageHtml(page: PageName, opts: { title: string; refreshSeconds: number }): string {
  const nav = NAV.map(
    (n) => `<a href="${n.href}"${n.page === page || n.also.includes(page) ? ' aria-current="page"' : ''}>${n.label}</a>`,
  ).join('');
  const charts = CHARTS.has(page)
    ? '<link rel="stylesheet" href="/assets/uplot/uPlot.min.css">\n<script defer src="/assets/uplot/uPlot.iife.min.js"></script>\n'
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)} · mlmon</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/console.css">
${charts}<script type="module" src="/assets/${page}.js"></script>
</head>
<body data-page="${page}" data-refresh="${opts.refreshSeconds}" data-state="loading">
<header>
<a class="brand" href="/slos">mlmon</a>
<nav>${nav}</nav>
<span class="fetched" id="fetched">loading…</span>
</header>
<div id="banner" class="banner" role="alert" hidden></div>
<main id="app"><h1>${escapeHtml(opts.title)}</h1><p class="muted">Loading…</p></main>
</body>
</html>
`;
}
