// Shared by every page: API calls, the error banner, "fetched at", self-refresh,
// formatting and a tiny DOM builder. No framework; compiled for the browser by
// tsconfig.browser.json against the API's own types (../api-types.ts).
import type { ApiErrorBody, ModelSummary, SloRow } from '../api-types.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly upstream?: string,
  ) {
    super(message);
  }
}

/** GET or POST JSON to the console's API; errors carry the server's message for people.
 * `T` is the answer's type from api-types.ts: the server is typed against the same one. */
export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init ? { ...init, headers: { 'content-type': 'application/json' } } : undefined);
  } catch {
    throw new ApiError('The mlmon console cannot be reached. Is the stack up (`mlmon status`)?', 0);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (body as Partial<ApiErrorBody> | null)?.error;
    throw new ApiError(error?.message ?? `HTTP ${res.status}`, res.status, error?.upstream);
  }
  return body as T;
}

type EventHandler = (e: Event) => void;
type AttrValue = string | number | boolean | null | undefined | EventHandler;
export type Child = Node | string | number | null | undefined | false;

/** el('td', {class: 'num'}, 'text', childNode, [more, nodes], ...) */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, AttrValue> | null,
  ...children: Array<Child | readonly Child[]>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') {
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    } else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** An element of the page shell (pages.ts), which every page has. */
function shell(id: 'banner' | 'fetched' | 'app'): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

export function showBanner(message: string): void {
  const b = shell('banner');
  b.textContent = message;
  b.hidden = false;
}

export function hideBanner(): void {
  shell('banner').hidden = true;
}

/** Runs `load` now and every data-refresh seconds (skipped while the tab is hidden).
 * `load` renders into #app and returns the answer's fetchedAt; errors go to the
 * banner and the last good view stays. The returned function runs it once more. */
export function startPage(load: () => Promise<string | undefined>): () => Promise<void> {
  const refresh = Number(document.body.dataset.refresh) || 30;
  let first = true;
  const run = async (): Promise<void> => {
    try {
      const fetchedAt = await load();
      hideBanner();
      shell('fetched').textContent = `fetched ${fmt.time(fetchedAt ?? new Date().toISOString())} · refreshes every ${refresh}s`;
      document.body.dataset.state = 'ready';
      if (first) performance.mark('mlmon:rendered');
      first = false;
    } catch (e) {
      showBanner(e instanceof ApiError ? e.message : `The page failed to render: ${e instanceof Error ? e.message : String(e)}`);
      shell('fetched').textContent = `fetch failed at ${fmt.time(new Date().toISOString())} · retrying every ${refresh}s`;
      document.body.dataset.state = 'error';
      if (first) {
        const p = shell('app').querySelector('p.muted');
        if (p) p.textContent = 'No data: see the message above.';
      }
    }
  };
  void run();
  setInterval(() => {
    if (!document.hidden) void run();
  }, refresh * 1000);
  return run;
}

type Maybe = number | null | undefined;

export const fmt = {
  pct(ratio: Maybe, digits = 2): string {
    return ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(digits)}%`;
  },
  num(v: Maybe, digits = 2): string {
    return v === null || v === undefined ? '–' : Number(v).toFixed(digits);
  },
  burn(v: Maybe): string {
    if (v === null || v === undefined) return '–';
    return `${v < 10 ? v.toFixed(2) : v.toFixed(1)}×`;
  },
  duration(seconds: Maybe): string {
    if (seconds === null || seconds === undefined) return '–';
    const s = Math.max(0, Math.round(seconds));
    const d = Math.floor(s / 86400),
      h = Math.floor((s % 86400) / 3600),
      m = Math.floor((s % 3600) / 60);
    if (d > 0) return `${d}d ${h}h`;
    if (h > 0) return `${h}h ${m}m`;
    if (m > 0) return `${m}m`;
    return `${s}s`;
  },
  time(iso: string): string {
    const d = new Date(iso);
    return d.toLocaleString(undefined, { hour12: false });
  },
};

/** What an SLO's figures cover while the stack is younger than the period:
 * "budget over the first 14m of 30d" (null once the whole period is counted). */
export function coverageNote(r: Pick<SloRow, 'coverage' | 'period'>): string | null {
  if (r.coverage === null || r.coverage.ratio >= 1) return null;
  return `budget over the first ${fmt.duration(r.coverage.seconds)} of ${r.period}`;
}

/** Tiles of the covered period that were never evaluated (Prometheus down, missed
 * iterations): the counts caught up, but the period had gaps. */
export function gapNote(r: Pick<SloRow, 'tileGaps'>): string | null {
  const g = r.tileGaps;
  if (g === null || g.missing === 0) return null;
  return `${g.missing} of ${g.expected} tiles missed (${fmt.duration(g.missing * g.tileSeconds)}); gaps up to 2h are caught up`;
}

/** Replaces #app's content. */
export function render(...children: Array<Child | readonly Child[]>): void {
  const nodes = children.flat().filter((c): c is Node | string | number => Boolean(c));
  shell('app').replaceChildren(...nodes.map((c) => (typeof c === 'number' ? String(c) : c)));
}

/** Query parameters of the page URL, and a way to change them without reloading. */
export function params(): URLSearchParams {
  return new URLSearchParams(location.search);
}

export function setParam(name: string, value: string | null | undefined): void {
  const p = params();
  if (value === '' || value === null || value === undefined) p.delete(name);
  else p.set(name, value);
  const qs = p.toString();
  history.replaceState(null, '', `${location.pathname}${qs ? `?${qs}` : ''}`);
}

/** The value of the form control an event came from. */
export function valueOf(e: Event): string {
  return (e.target as HTMLSelectElement | HTMLInputElement).value;
}

export function labelList(labels: Record<string, string>, skip: readonly string[] = []): HTMLSpanElement {
  return el(
    'span',
    { class: 'labels' },
    Object.entries(labels)
      .filter(([k]) => !skip.includes(k))
      .map(([k, v]) => el('code', {}, `${k}=${v}`)),
  );
}

/** A table's header row. */
export function tableHead(headers: readonly string[]): HTMLTableSectionElement {
  return el(
    'thead',
    {},
    el(
      'tr',
      {},
      headers.map((h) => el('th', {}, h)),
    ),
  );
}

/** A table with a header row and one body row per item. */
export function dataTable<T>(
  id: string,
  headers: readonly string[],
  items: readonly T[],
  row: (item: T) => HTMLTableRowElement,
): HTMLTableElement {
  return el('table', { id }, tableHead(headers), el('tbody', {}, items.map(row)));
}

/** A labelled <select> bound to a query parameter of the page: a choice sets the
 * parameter and calls `changed`. `all` adds a first choice for "no filter". */
export function filterSelect(opts: {
  label: string;
  id: string;
  param: string;
  choices: readonly string[];
  current: string;
  all?: boolean;
  changed: () => void;
}): HTMLLabelElement {
  return el(
    'label',
    {},
    `${opts.label} `,
    el(
      'select',
      {
        id: opts.id,
        onchange: (e: Event) => {
          setParam(opts.param, valueOf(e));
          opts.changed();
        },
      },
      opts.all ? el('option', { value: '' }, 'all') : null,
      opts.choices.map((c) => el('option', { value: c, selected: c === opts.current }, c)),
    ),
  );
}

/** A card with a label, a big value and a line of detail (the detail pages' headline figures). */
export function stat(label: string, value: string, extra?: string): HTMLDivElement {
  return el(
    'div',
    { class: 'card stat' },
    el('div', { class: 'label' }, label),
    el('div', { class: 'value' }, value),
    extra ? el('div', { class: 'muted' }, extra) : null,
  );
}

/** The range links of a detail page (`?range=`), the current one marked. */
export function rangeLinks(range: { name: string; choices: readonly string[] }): HTMLDivElement {
  return el(
    'div',
    { class: 'ranges', id: 'ranges' },
    'Range: ',
    range.choices.map((c) => el('a', { href: `?range=${c}`, 'aria-current': c === range.name ? 'true' : null }, c)),
  );
}

/** The page's own `?range=` as a query string for its API call, or nothing. */
export function rangeQuery(): string {
  const range = params().get('range');
  return range ? `?range=${encodeURIComponent(range)}` : '';
}

export const COLORS = ['#2b5fb3', '#c53030', '#1f8a4c', '#b7791f', '#6b46c1', '#0e7490', '#be185d', '#4b5563'] as const;

/** The colour of the i-th series. */
export function color(i: number): string {
  return COLORS[i % COLORS.length] ?? COLORS[0];
}

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color?: string;
  dash?: number[];
  width?: number;
}

export interface ChartOptions {
  /** The grid's unix seconds, shared by every series. */
  times: number[];
  series: ChartSeries[];
  yFormat?: (v: number) => string;
  yRange?: uPlot.Scale.Range;
  height?: number;
}

/** A uPlot line chart over the grid times (uPlot is the global its <script> defines on the chart pages). */
export function lineChart(container: HTMLElement, { times, series, yFormat, yRange, height = 220 }: ChartOptions): uPlot {
  const width = Math.max(320, container.clientWidth || 800);
  const opts: uPlot.Options = {
    width,
    height,
    series: [
      {},
      ...series.map((s, i): uPlot.Series => ({
        label: s.label,
        stroke: s.color ?? color(i),
        width: s.width ?? 1.5,
        ...(s.dash ? { dash: s.dash } : {}),
        spanGaps: false,
        // A line needs two neighbouring values: a young stack's first samples would
        // not show at all, so draw them as dots while they are few.
        points: { show: (u, si) => (u.data[si] ?? []).filter((v) => v !== null && v !== undefined).length <= 12 },
        // uPlot passes null where a series has no value, whatever its type says.
        value: (_u, v: number | null) => (v === null || v === undefined ? '–' : yFormat ? yFormat(v) : v.toFixed(3)),
      })),
    ],
    scales: yRange ? { y: { range: yRange } } : {},
    axes: [{}, { size: 70, values: (_u, vals) => vals.map((v) => (yFormat ? yFormat(v) : v)) }],
    legend: { live: true },
  };
  container.replaceChildren();
  return new uPlot(opts, [times, ...series.map((s) => s.values)], container);
}

const HEALTH_LABEL: Record<ModelSummary['health'], string> = {
  ok: 'ok',
  warning: 'attention',
  critical: 'critical',
  collecting: 'collecting',
  no_data: 'no data',
};

/** A model's health badge (list and detail pages): from the current drift and
 * quality figures and the firing alerts, the reasons in its tooltip. */
export function healthBadge(m: ModelSummary, attrs: Record<string, string> = {}): HTMLSpanElement {
  return el(
    'span',
    {
      ...attrs,
      class: `badge ${m.health === 'no_data' || m.health === 'collecting' ? 'info' : m.health}`,
      title: m.healthReasons.join('\n'),
    },
    HEALTH_LABEL[m.health],
  );
}
