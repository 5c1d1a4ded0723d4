import {
  DEFAULT_COMPONENTS,
  defaultSettings,
  type ComponentName,
  type PortName,
  type StackAccess,
  type StackSettings,
} from '../definition/index.js';
import { ADMIN_PASSWORD_FILE, WEB_CONFIG_FILE } from '../upstream/index.js';
import { COMPOSE_ADMIN_USER, MOUNTS, PLACEHOLDER_HOST } from './conventions.js';

/** The compose stack's login as its containers see it (MOUNTS.login): the
 * files `mlmon compose configure` writes, mounted read-only. */
export const CONTAINER_ACCESS: Readonly<StackAccess> = {
  username: COMPOSE_ADMIN_USER,
  passwordFile: `${MOUNTS.login}/${ADMIN_PASSWORD_FILE}`,
  webConfigFile: `${MOUNTS.login}/${WEB_CONFIG_FILE}`,
};

/** The stack definition as the compose file runs it: every default component,
 * each in its own container listening on all interfaces at its default port,
 * every protected one behind the login. */
export function containerSettings(overrides: Partial<StackSettings> = {}): StackSettings {
  return defaultSettings({
    dataDir: MOUNTS.mlmonData,
    host: '0.0.0.0',
    cluster: 'compose',
    components: [...DEFAULT_COMPONENTS],
    access: { ...CONTAINER_ACCESS },
    ...overrides,
  });
}

/** The compose service listening on `port` (ports are unique within a stack;
 * the sink's SMTP port belongs to the sink's container). */
export function serviceOfPort(s: StackSettings, port: number): ComponentName | undefined {
  const entry = (Object.entries(s.ports) as Array<[PortName, number]>).find(
    ([name, p]) => p === port && (name === 'notification-sink-smtp' || s.components.includes(name)),
  );
  if (!entry) return undefined;
  return entry[0] === 'notification-sink-smtp' ? 'notification-sink' : entry[0];
}

/** In a compose network each component is reached by its service name, which
 * is its component name. The native renderers know one host for all; they
 * are given PLACEHOLDER_HOST and every `placeholder:port` is rewritten here. */
export function rewriteAddresses<T>(value: T, s: StackSettings): T {
  const re = new RegExp(`${PLACEHOLDER_HOST.replace(/\./g, '\\.')}:(\\d+)`, 'g');
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(re, (whole, port: string) => {
        const c = serviceOfPort(s, Number(port));
        if (!c) throw new Error(`no component listens on port ${port} (${whole})`);
        return `${c}:${port}`;
      });
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  return visit(value) as T;
}

/** The settings the native renderers get: same definition, placeholder host. */
export function placeholderSettings(s: StackSettings): StackSettings {
  return { ...s, host: PLACEHOLDER_HOST };
}
