/** The parts of the stack that run in the cluster: the inference gateway, the
 * ML model exporter (its state on a PersistentVolumeClaim), the console and the
 * notification sink, each with a ServiceAccount, a Service, a Deployment
 * (non-root, read-only root filesystem, requests and limits, probes on /health
 * and /ready) and one NetworkPolicy that admits only the traffic the data flow
 * needs. The gateway's events reach the exporter over its ingest API, so the two
 * share no disk. Secrets are referenced by name, never written here. Pure. */
import { DEFAULT_PORTS, type ComponentName } from '../definition/index.js';
import { OWN_SERVICES } from '../container/index.js';
import { EXPORTER_TOKEN_ENV } from '../exporter/index.js';
import { EXPORTER_SECRET_KEY, PART_OF, type KubernetesOptions } from './conventions.js';
import { METRICS_PORT_NAME, MONITORED } from './service-monitor.js';

type Doc = Record<string, unknown>;

/** The components this bundle runs, in data-flow order. */
export const WORKLOADS = ['inference-gateway', 'ml-model-exporter', 'console', 'notification-sink'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** Where our images keep their data (made by docker/mlmon.Dockerfile, owned by `node`). */
const DATA_DIR = '/data';
/** The `node` user of the official Node images our image runs as. */
const NODE_UID = 1000;

export const EXPORTER_STATE_CLAIM = 'ml-model-exporter-state';

interface Spec {
  args: (o: KubernetesOptions) => string[];
  ports: Array<{ name: string; port: number }>;
  /** The first port: probes and the Service's main port. */
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  /** The exporter keeps its state across restarts; the others start afresh. */
  persistent: boolean;
  tokenEnv: boolean;
  /** Who may connect (beyond pods of the same namespace). */
  from: 'anywhere' | 'namespace' | 'monitoring';
}

const svc = (c: Workload, o: KubernetesOptions) => `http://${c}.${o.namespace}.svc:${DEFAULT_PORTS[c]}`;
const portName = (c: ComponentName) => (MONITORED.includes(c) ? METRICS_PORT_NAME : 'http');

const SPECS: Readonly<Record<Workload, Spec>> = {
  'inference-gateway': {
    args: (o) => [
      'serve',
      'gateway',
      '--host',
      '0.0.0.0',
      '--port',
      String(DEFAULT_PORTS['inference-gateway']),
      '--data-dir',
      DATA_DIR,
      '--forward-events',
      svc('ml-model-exporter', o),
    ],
    ports: [{ name: portName('inference-gateway'), port: DEFAULT_PORTS['inference-gateway'] }],
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    persistent: false,
    tokenEnv: true,
    from: 'anywhere',
  },
  'ml-model-exporter': {
    // Its registry is its own (on its claim): the bundled model is trained there
    // as the gateway trains its own, seeded alike, so both know the same version.
    args: () => [
      'serve',
      'exporter',
      '--host',
      '0.0.0.0',
      '--port',
      String(DEFAULT_PORTS['ml-model-exporter']),
      '--data-dir',
      DATA_DIR,
      '--ensure-model',
      'iris',
    ],
    ports: [{ name: portName('ml-model-exporter'), port: DEFAULT_PORTS['ml-model-exporter'] }],
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    persistent: true,
    tokenEnv: true,
    // The gateway and model services of the namespace send events; Prometheus scrapes.
    from: 'namespace',
  },
  console: {
    args: (o) => [
      'serve',
      'console',
      '--host',
      '0.0.0.0',
      '--port',
      String(DEFAULT_PORTS.console),
      '--data-dir',
      DATA_DIR,
      '--config-dir',
      '/app/config',
      '--prometheus',
      o.prometheusUrl,
      '--alertmanager',
      o.alertmanagerUrl,
      '--sink',
      svc('notification-sink', o),
      '--allowed-host',
      'console',
      '--allowed-host',
      `console.${o.namespace}.svc`,
    ],
    ports: [{ name: portName('console'), port: DEFAULT_PORTS.console }],
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    persistent: false,
    tokenEnv: false,
    from: 'namespace',
  },
  'notification-sink': {
    args: () => [
      'serve',
      'sink',
      '--host',
      '0.0.0.0',
      '--port',
      String(DEFAULT_PORTS['notification-sink']),
      '--smtp-port',
      String(DEFAULT_PORTS['notification-sink-smtp']),
      '--data-dir',
      DATA_DIR,
    ],
    ports: [
      { name: portName('notification-sink'), port: DEFAULT_PORTS['notification-sink'] },
      { name: 'smtp', port: DEFAULT_PORTS['notification-sink-smtp'] },
    ],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
    persistent: false,
    tokenEnv: false,
    // Alertmanager (in the monitoring namespace) delivers to it.
    from: 'monitoring',
  },
};

function labels(c: Workload): Record<string, string> {
  return { 'app.kubernetes.io/name': c, ...PART_OF };
}

function meta(c: string, o: KubernetesOptions, l: Record<string, string>): Doc {
  return { name: c, namespace: o.namespace, labels: l };
}

export function renderServiceAccounts(o: KubernetesOptions): Doc[] {
  // None of our services talks to the Kubernetes API: no token in the pods.
  return WORKLOADS.map((c) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(c, o, labels(c)),
    automountServiceAccountToken: false,
  }));
}

export function renderServices(o: KubernetesOptions): Doc[] {
  return WORKLOADS.map((c) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(c, o, labels(c)),
    spec: {
      type: 'ClusterIP',
      selector: labels(c),
      ports: SPECS[c].ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
    },
  }));
}

export function renderPersistentVolumeClaims(o: KubernetesOptions): Doc[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(EXPORTER_STATE_CLAIM, o, labels('ml-model-exporter')),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  ];
}

function probe(path: string, port: string, c: Workload): Doc {
  return {
    // The console answers only to its own names (DNS rebinding): the kubelet says localhost.
    httpGet: { path, port, ...(c === 'console' ? { httpHeaders: [{ name: 'Host', value: 'localhost' }] } : {}) },
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 3,
  };
}

export function renderDeployments(o: KubernetesOptions): Doc[] {
  return WORKLOADS.map((c) => {
    const s = SPECS[c];
    const image = OWN_SERVICES[c]?.image;
    if (!image) throw new Error(`no image for ${c}`);
    const main = s.ports[0]!.name;
    const tokenEnv = s.tokenEnv
      ? [{ name: EXPORTER_TOKEN_ENV, valueFrom: { secretKeyRef: { name: o.exporterSecretName, key: EXPORTER_SECRET_KEY } } }]
      : [];
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(c, o, labels(c)),
      spec: {
        replicas: 1,
        // The exporter's claim is ReadWriteOnce: the old pod lets go before the new one starts.
        strategy: s.persistent ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        selector: { matchLabels: labels(c) },
        template: {
          metadata: { labels: labels(c) },
          spec: {
            serviceAccountName: c,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: NODE_UID,
              runAsGroup: NODE_UID,
              fsGroup: NODE_UID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: c,
                image,
                imagePullPolicy: 'IfNotPresent',
                args: s.args(o),
                ports: s.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
                env: [{ name: 'MLMON_LOG_LEVEL', value: 'info' }, ...tokenEnv],
                resources: s.resources,
                startupProbe: { ...probe('/health', main, c), failureThreshold: 30 },
                livenessProbe: probe('/health', main, c),
                readinessProbe: probe('/ready', main, c),
                securityContext: {
                  readOnlyRootFilesystem: true,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [
                  { name: 'data', mountPath: DATA_DIR },
                  // Node and its libraries may write temporary files: the only other writable place.
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              s.persistent
                ? { name: 'data', persistentVolumeClaim: { claimName: EXPORTER_STATE_CLAIM } }
                : { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ],
          },
        },
      },
    };
  });
}

/** One policy per workload: ingress only on its own ports, from where the data flow comes. */
export function renderNetworkPolicies(o: KubernetesOptions): Doc[] {
  const sameNamespace = { podSelector: {} };
  const monitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': o.monitoringNamespace } } };
  return WORKLOADS.map((c) => {
    const s = SPECS[c];
    const ports = s.ports.map((p) => ({ port: p.name, protocol: 'TCP' }));
    const metricsPorts = s.ports.filter((p) => p.name === METRICS_PORT_NAME).map((p) => ({ port: p.name, protocol: 'TCP' }));
    const rules: Doc[] =
      s.from === 'anywhere'
        ? [{ ports }]
        : [
            { from: [sameNamespace, ...(s.from === 'monitoring' ? [monitoring] : [])], ports },
            // Prometheus scrapes the monitored ones from its namespace.
            ...(s.from === 'namespace' && metricsPorts.length > 0 ? [{ from: [monitoring], ports: metricsPorts }] : []),
          ];
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(c, o, labels(c)),
      spec: { podSelector: { matchLabels: labels(c) }, policyTypes: ['Ingress'], ingress: rules },
    };
  });
}
