import { resolve } from 'node:path';
import { parseDuration } from '../duration.js';
import { MlmonError } from '../errors.js';
import { remoteWriteFromOptions, type RemoteWriteCliOptions } from '../remote/index.js';
import {
  COMPONENT_NAMES,
  DEFAULT_PORTS,
  dataDirFrom,
  defaultSettings,
  type ComponentName,
  type PortName,
  type Profile,
  type StackSettings,
} from '../definition/index.js';

export interface StackCliOptions extends RemoteWriteCliOptions {
  dataDir?: string;
  configDir?: string;
  host?: string;
  port?: string[];
  profile?: string;
  cluster?: string;
  environment?: string;
  retentionSize?: string;
  without?: string[];
  scrapeInterval?: string;
  faultInjection?: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

const PORT_NAMES = Object.keys(DEFAULT_PORTS) as PortName[];

/** `NAME=PORT` pairs (from repeated --port flags) into port overrides; throws on bad input. */
export function parsePortOverrides(pairs: string[]): Partial<Record<PortName, number>> {
  const out: Partial<Record<PortName, number>> = {};
  for (const pair of pairs) {
    const m = /^([a-z-]+)=(\d+)$/.exec(pair.trim());
    if (!m) throw new MlmonError('bad_option', `--port ${pair}: expected NAME=PORT, e.g. --port prometheus=19090`);
    const name = m[1] as PortName;
    const port = Number(m[2]);
    if (!PORT_NAMES.includes(name)) {
      throw new MlmonError('bad_option', `--port ${pair}: unknown component "${name}"`, { hint: `one of: ${PORT_NAMES.join(', ')}` });
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new MlmonError('bad_option', `--port ${pair}: port must be between 1 and 65535`);
    }
    out[name] = port;
  }
  return out;
}

/** Settings for a stack from CLI flags and MLMON_* environment variables. */
export function settingsFromOptions(o: StackCliOptions, env: NodeJS.ProcessEnv = process.env): StackSettings {
  let tls: { certFile: string; keyFile: string } | undefined;
  const profile = (o.profile ?? env.MLMON_PROFILE ?? 'production') as Profile;
  if (profile !== 'production' && profile !== 'test') {
    throw new MlmonError('bad_option', `--profile ${profile}: expected "production" or "test"`);
  }
  const ports = parsePortOverrides(o.port ?? []);
  const seen = new Map<number, string>();
  const s = defaultSettings({
    dataDir: dataDirFrom(o.dataDir, env),
    ...(o.configDir ? { configDir: o.configDir } : {}),
    host: o.host ?? env.MLMON_HOST ?? '127.0.0.1',
    ports: ports as Record<PortName, number>,
    profile,
    cluster: o.cluster ?? env.MLMON_CLUSTER ?? 'local',
    environment: o.environment ?? env.MLMON_ENVIRONMENT ?? 'development',
    ...(o.retentionSize ? { retentionSize: o.retentionSize } : {}),
  });
  s.faultInjection = Boolean(o.faultInjection);
  if (Boolean(o.tlsCertFile) !== Boolean(o.tlsKeyFile)) {
    throw new MlmonError('bad_option', '--tls-cert-file and --tls-key-file go together', {
      hint: 'give both (PEM files) to serve Prometheus, Alertmanager, the Pushgateway and the exporters over HTTPS',
    });
  }
  if (o.tlsCertFile && o.tlsKeyFile) tls = { certFile: resolve(o.tlsCertFile), keyFile: resolve(o.tlsKeyFile) };
  const remoteWrite = remoteWriteFromOptions(o, env);
  if (remoteWrite) s.remoteWrite = remoteWrite;
  if (profile === 'test') {
    // Alerts of the test profile fire within minutes: sample and evaluate often,
    // and let the alert tests inject faults.
    s.scrapeInterval = '1s';
    s.evaluationInterval = '1s';
    s.faultInjection = true;
  }
  if (o.scrapeInterval) {
    parseDuration(o.scrapeInterval, '--scrape-interval', { positive: true });
    s.scrapeInterval = o.scrapeInterval;
    s.evaluationInterval = o.scrapeInterval;
  }
  for (const w of o.without ?? []) {
    if (!COMPONENT_NAMES.includes(w as ComponentName)) {
      throw new MlmonError('bad_option', `--without ${w}: unknown component`, { hint: `one of: ${s.components.join(', ')}` });
    }
    s.components = s.components.filter((c) => c !== w);
  }
  for (const c of s.components) {
    const owner = seen.get(s.ports[c]);
    if (owner) throw new MlmonError('bad_option', `port ${s.ports[c]} is given to both ${owner} and ${c}`);
    seen.set(s.ports[c], c);
  }
  // The credentials themselves are made by `mlmon up`; the TLS files are recorded now.
  if (tls) s.access = { username: '', passwordFile: '', webConfigFile: '', tls };
  return s;
}
