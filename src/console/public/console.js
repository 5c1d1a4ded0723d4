// Shared by every page: API calls, the error banner, "fetched at", self-refresh,
// formatting and a tiny DOM builder. No framework, no build step.

export class ApiError extends Error {
  constructor(message, status, upstream) {
    super(message);
    this.status = status;
    this.upstream = upstream;
  }
}

/** GET or POST JSON to the console's API; errors carry the server's message for people. */
export async function api(path, init) {
  let res;
  try {
    res = await fetch(path, init ? { ...init, headers: { 'content-type': 'application/json' } } : undefined);
  } catch {
    throw new ApiError('The mlmon console cannot be reached. Is the stack up (`mlmon status`)?', 0);
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(body?.error?.message ?? `HTTP ${res.status}`, res.status, body?.error?.upstream);
  return body;
}

/** el('td', {class: 'num'}, 'text', childNode, ...) */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function showBanner(message) {
  const b = document.getElementById('banner');
  b.textContent = message;
  b.hidden = false;
}

export function hideBanner() {
  document.getElementById('banner').hidden = true;
}

/** Runs `load` now and every data-refresh seconds (skipped while the tab is hidden).
 * `load` renders into #app; errors go to the banner and the last good view stays. */
export function startPage(load) {
  const refresh = Number(document.body.dataset.refresh) || 30;
  let first = true;
  const run = async () => {
    try {
      const fetchedAt = await load();
      hideBanner();
      document.getElementById('fetched').textContent =
        `fetched ${fmt.time(fetchedAt ?? new Date().toISOString())} · refreshes every ${refresh}s`;
      document.body.dataset.state = 'ready';
      if (first) performance.mark('mlmon:rendered');
      first = false;
    } catch (e) {
      showBanner(e instanceof ApiError ? e.message : `The page failed to render: ${e?.message ?? e}`);
      document.getElementById('fetched').textContent = `fetch failed at ${fmt.time(new Date().toISOString())} · retrying every ${refresh}s`;
      document.body.dataset.state = 'error';
      if (first) {
        const main = document.getElementById('app');
        const p = main.querySelector('p.muted');
        if (p) p.textContent = 'No data: see the message above.';
      }
    }
  };
  run();
  setInterval(() => {
    if (!document.hidden) run();
  }, refresh * 1000);
  return run;
}

export const fmt = {
  pct(ratio, digits = 2) {
    return ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(digits)}%`;
  },
  num(v, digits = 2) {
    return v === null || v === undefined ? '–' : Number(v).toFixed(digits);
  },
  burn(v) {
    if (v === null || v === undefined) return '–';
    return `${v < 10 ? v.toFixed(2) : v.toFixed(1)}×`;
  },
  duration(seconds) {
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
  time(iso) {
    const d = new Date(iso);
    return d.toLocaleString(undefined, { hour12: false });
  },
};

/** Replaces #app's content. */
export function render(...children) {
  const main = document.getElementById('app');
  main.replaceChildren(...children.flat().filter(Boolean));
}

/** Query parameters of the page URL, and a way to change them without reloading. */
export function params() {
  return new URLSearchParams(location.search);
}

export function setParam(name, value) {
  const p = params();
  if (value === '' || value === null || value === undefined) p.delete(name);
  else p.set(name, value);
  const qs = p.toString();
  history.replaceState(null, '', `${location.pathname}${qs ? `?${qs}` : ''}`);
}

export function labelList(labels, skip = []) {
  return el(
    'span',
    { class: 'labels' },
    Object.entries(labels)
      .filter(([k]) => !skip.includes(k))
      .map(([k, v]) => el('code', {}, `${k}=${v}`)),
  );
}

export const COLORS = ['#2b5fb3', '#c53030', '#1f8a4c', '#b7791f', '#6b46c1', '#0e7490', '#be185d', '#4b5563'];

/** A uPlot line chart over the grid times; `series` = [{label, values, color, dash}]. */
export function lineChart(container, { times, series, yFormat, yRange, height = 220 }) {
  const width = Math.max(320, container.clientWidth || 800);
  const opts = {
    width,
    height,
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? COLORS[i % COLORS.length],
        width: s.width ?? 1.5,
        dash: s.dash,
        spanGaps: false,
        // A line needs two neighbouring values: a young stack's first samples would
        // not show at all, so draw them as dots while they are few.
        points: { show: (u, si) => u.data[si].filter((v) => v !== null && v !== undefined).length <= 12 },
        value: (_u, v) => (v === null || v === undefined ? '–' : yFormat ? yFormat(v) : v.toFixed(3)),
      })),
    ],
    scales: yRange ? { y: { range: yRange } } : {},
    axes: [{}, { size: 70, values: (_u, vals) => vals.map((v) => (yFormat ? yFormat(v) : v)) }],
    legend: { live: true },
  };
  container.replaceChildren();
  // eslint-disable-next-line no-undef
  return new uPlot(opts, [times, ...series.map((s) => s.values)], container);
}
