import { MlmonError } from '../errors.js';
import { FEDERATION_MATCHERS } from './conventions.js';

/** One stack whose Prometheus the global one federates. */
export interface FederatedStack {
  /** Short name, becomes the `stack` label of its target. */
  name: string;
  /** Base URL of that stack's Prometheus, e.g. http://prom-eu.internal:9090. */
  url: string;
}

export interface FederationOptions {
  /** How often the global Prometheus pulls /federate (default 30s). */
  scrapeInterval?: string;
  scrapeTimeout?: string;
  /** External labels of the global Prometheus itself. */
  externalLabels?: Record<string, string>;
  /** `match[]` selectors (default FEDERATION_MATCHERS). */
  matchers?: readonly string[];
  /** The login the federated stacks demand (an mlmon stack's admin user; the password read from a file at each scrape). */
  basicAuth?: { username: string; passwordFile: string };
  /** CA certificate of stacks that serve HTTPS with their own certificate. */
  caFile?: string;
}

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function target(stack: FederatedStack): { scheme: string; address: string; pathPrefix: string } {
  if (!NAME.test(stack.name)) {
    throw new MlmonError('bad_option', `stack name "${stack.name}" must be lower-case letters, digits and dashes`, {
      location: 'federation',
    });
  }
  let u: URL;
  try {
    u = new URL(stack.url);
  } catch {
    throw new MlmonError('bad_option', `stack ${stack.name}: "${stack.url}" is not a URL`, {
      location: 'federation',
      hint: 'e.g. http://prometheus-eu:9090',
    });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new MlmonError('bad_option', `stack ${stack.name}: URL must be http(s)`, { location: 'federation' });
  }
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return { scheme: u.protocol.slice(0, -1), address: `${u.hostname}:${port}`, pathPrefix: u.pathname.replace(/\/+$/, '') };
}

/** The configuration of a global Prometheus that pulls the SLO recording
 * series and ALERTS of every stack through `/federate` (pure).
 *
 * `honor_labels` keeps the source's `job`, `instance`, `service`, `slo` and its
 * external labels (`cluster`, `environment`), which /federate attaches to
 * every series: that is what tells the stacks apart in the global view. The
 * `stack` label marks the target only (honored labels win on a clash). */
export function renderFederationConfig(stacks: readonly FederatedStack[], opts: FederationOptions = {}): Record<string, unknown> {
  if (stacks.length === 0)
    throw new MlmonError('bad_option', 'name at least one stack to federate', {
      location: 'federation',
      hint: '--stack eu=http://prometheus-eu:9090',
    });
  const seen = new Set<string>();
  const groups = new Map<string, { scheme: string; path: string; statics: Array<{ targets: string[]; labels: Record<string, string> }> }>();
  for (const s of stacks) {
    if (seen.has(s.name)) throw new MlmonError('bad_option', `stack ${s.name} is named twice`, { location: 'federation' });
    seen.add(s.name);
    const t = target(s);
    // One job per scheme and path: Prometheus sets both per job, not per target.
    const key = `${t.scheme} ${t.pathPrefix}`;
    const g = groups.get(key) ?? { scheme: t.scheme, path: `${t.pathPrefix}/federate`, statics: [] };
    g.statics.push({ targets: [t.address], labels: { stack: s.name } });
    groups.set(key, g);
  }
  const interval = opts.scrapeInterval ?? '30s';
  const jobs = [...groups.values()].map((g, i) => ({
    job_name: i === 0 ? 'federate' : `federate-${i + 1}`,
    honor_labels: true,
    scrape_interval: interval,
    scrape_timeout: opts.scrapeTimeout ?? (interval === '30s' ? '25s' : interval),
    scheme: g.scheme,
    metrics_path: g.path,
    ...(opts.basicAuth ? { basic_auth: { username: opts.basicAuth.username, password_file: opts.basicAuth.passwordFile } } : {}),
    ...(opts.caFile ? { tls_config: { ca_file: opts.caFile } } : {}),
    params: { 'match[]': [...(opts.matchers ?? FEDERATION_MATCHERS)] },
    static_configs: g.statics,
  }));
  return {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      external_labels: opts.externalLabels ?? { federation: 'global' },
    },
    scrape_configs: jobs,
  };
}

/** `name=url` (from repeated --stack flags) into stacks. */
export function parseStackArgs(pairs: readonly string[]): FederatedStack[] {
  return pairs.map((p) => {
    const i = p.indexOf('=');
    if (i <= 0) throw new MlmonError('bad_option', `--stack ${p}: expected NAME=URL, e.g. eu=http://prometheus-eu:9090`);
    return { name: p.slice(0, i), url: p.slice(i + 1) };
  });
}
