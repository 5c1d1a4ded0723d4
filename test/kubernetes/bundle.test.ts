/** The deployable bundle: every manifest valid against the Kubernetes OpenAPI
 * definitions of a current release (or its CRD schema), every workload
 * complete (ServiceAccount, Service, Deployment, NetworkPolicy, requests and
 * limits, probes, non-root, read-only root filesystem), secrets only by
 * reference, the pieces wired to each other, a kustomization naming every
 * file, and every YAML file we generate readable by a YAML 1.1 reader. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_PORTS } from '../../src/definition/index.js';
import { DASHBOARD_UIDS } from '../../src/grafana/index.js';
import {
  DEFAULT_KUBERNETES_OPTIONS,
  EXPORTER_STATE_CLAIM,
  GRAFANA_SIDECAR,
  KUSTOMIZATION_FILE,
  MANIFEST_DIR,
  WORKLOADS,
  stringifyYaml11,
  yaml11Ambiguous,
} from '../../src/kubernetes/index.js';
import { fromRepo } from '../../src/paths.js';
import { generatedFiles } from '../../src/stack/generate.js';
import { crdValidator } from './crd.js';
import { kubernetesValidator } from './openapi.js';

type Any = Record<string, any>;

const files = readdirSync(fromRepo(MANIFEST_DIR)).filter((f) => f.endsWith('.yaml'));
const docsOf = (f: string): Any[] => parseAllDocuments(readFileSync(fromRepo(MANIFEST_DIR, f), 'utf8')).map((d) => d.toJS() as Any);
const resources = files.filter((f) => f !== KUSTOMIZATION_FILE).flatMap(docsOf);
const ofKind = (kind: string) => resources.filter((d) => d.kind === kind);
const CRD_KINDS = ['PrometheusRule', 'ServiceMonitor', 'AlertmanagerConfig'];
const validateK8s = kubernetesValidator();

test('every manifest validates against the Kubernetes v1.35 OpenAPI definitions or its prometheus-operator CRD schema', () => {
  assert.deepEqual([...new Set(resources.map((d) => d.kind as string))].sort(), [
    'AlertmanagerConfig',
    'ConfigMap',
    'Deployment',
    'NetworkPolicy',
    'PersistentVolumeClaim',
    'PrometheusRule',
    'Service',
    'ServiceAccount',
    'ServiceMonitor',
  ]);
  for (const d of resources) {
    if (CRD_KINDS.includes(d.kind as string)) {
      const { validate } = crdValidator(d.kind as string);
      assert.equal(validate(d), true, `${d.kind} ${d.metadata.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    } else {
      const r = validateK8s(d as { apiVersion: string; kind: string });
      assert.ok(r.ok, `${d.kind} ${d.metadata.name}: ${r.errors.slice(0, 5).join('\n')}`);
    }
    assert.match(d.metadata.name as string, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.equal(d.metadata.labels['app.kubernetes.io/part-of'], 'mlmon');
  }
});

test('the OpenAPI check can fail: a misspelt field, a port as text, a probe port as an object and a missing container name are refused', () => {
  const dep = structuredClone(ofKind('Deployment')[0]!);
  dep.spec.replica = 2;
  assert.equal(validateK8s(dep as { apiVersion: string; kind: string }).ok, false);
  const dep2 = structuredClone(ofKind('Deployment')[0]!);
  dep2.spec.template.spec.containers[0].ports[0].containerPort = '8000';
  assert.equal(validateK8s(dep2 as { apiVersion: string; kind: string }).ok, false);
  const dep3 = structuredClone(ofKind('Deployment')[0]!);
  dep3.spec.template.spec.containers[0].livenessProbe.httpGet.port = { name: 'http' };
  assert.equal(validateK8s(dep3 as { apiVersion: string; kind: string }).ok, false);
  const dep4 = structuredClone(ofKind('Deployment')[0]!);
  delete dep4.spec.template.spec.containers[0].name;
  assert.equal(validateK8s(dep4 as { apiVersion: string; kind: string }).ok, false);
});

test('each service of the stack has a ServiceAccount, a Service, a Deployment and a NetworkPolicy, wired by the same labels', () => {
  for (const kind of ['ServiceAccount', 'Service', 'Deployment', 'NetworkPolicy'])
    assert.deepEqual(
      ofKind(kind)
        .map((d) => d.metadata.name as string)
        .sort(),
      [...WORKLOADS].sort(),
      kind,
    );
  for (const dep of ofKind('Deployment')) {
    const name = dep.metadata.name as string;
    const pod = dep.spec.template;
    assert.equal(dep.metadata.namespace, DEFAULT_KUBERNETES_OPTIONS.namespace);
    assert.deepEqual(dep.spec.selector.matchLabels, pod.metadata.labels);
    assert.equal(pod.spec.serviceAccountName, name);
    const svc = ofKind('Service').find((s) => s.metadata.name === name)!;
    assert.deepEqual(svc.spec.selector, pod.metadata.labels, `${name}: the Service selects the pods`);
    const portNames = new Set((pod.spec.containers[0].ports as Any[]).map((p) => p.name as string));
    for (const p of svc.spec.ports as Any[])
      assert.ok(portNames.has(p.targetPort as string), `${name}: Service port ${p.name} targets a named container port`);
    assert.equal((svc.spec.ports as Any[])[0]!.port, DEFAULT_PORTS[name as keyof typeof DEFAULT_PORTS]);
    const np = ofKind('NetworkPolicy').find((n) => n.metadata.name === name)!;
    assert.deepEqual(np.spec.podSelector.matchLabels, pod.metadata.labels);
    assert.deepEqual(np.spec.policyTypes, ['Ingress']);
    for (const rule of np.spec.ingress as Any[])
      for (const p of rule.ports as Any[]) assert.ok(portNames.has(p.port as string), `${name}: policy port ${p.port}`);
  }
  for (const sm of ofKind('ServiceMonitor')) {
    const svc = ofKind('Service').find(
      (s) => s.metadata.labels['app.kubernetes.io/name'] === sm.spec.selector.matchLabels['app.kubernetes.io/name'],
    );
    assert.ok(svc, `ServiceMonitor ${sm.metadata.name} selects a Service of the bundle`);
    assert.ok(
      (svc.spec.ports as Any[]).some((p) => p.name === sm.spec.endpoints[0].port),
      `${sm.metadata.name}: the endpoint port is a Service port`,
    );
  }
  for (const sa of ofKind('ServiceAccount')) assert.equal(sa.automountServiceAccountToken, false);
});

test('every container runs non-root on a read-only root filesystem, with requests and limits and probes on /health and /ready', () => {
  for (const dep of ofKind('Deployment')) {
    const pod = dep.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0);
    assert.equal(pod.automountServiceAccountToken, false);
    for (const c of pod.containers as Any[]) {
      const where = `${dep.metadata.name}/${c.name}`;
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, where);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, where);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], where);
      for (const k of ['requests', 'limits']) for (const r of ['cpu', 'memory']) assert.ok(c.resources[k][r], `${where}: ${k}.${r}`);
      assert.equal(c.livenessProbe.httpGet.path, '/health', where);
      assert.equal(c.readinessProbe.httpGet.path, '/ready', where);
      assert.match(c.image as string, /^mlmon\/[a-z-]+:\d+\.\d+\.\d+$/, `${where}: a pinned image`);
      // Writable places are volumes: the data folder and /tmp.
      assert.deepEqual((c.volumeMounts as Any[]).map((m) => m.mountPath as string).sort(), ['/data', '/tmp']);
    }
  }
});

test('the exporter keeps its state on a PersistentVolumeClaim; the gateway sends its events over the ingest API, sharing no disk with it', () => {
  const claims = ofKind('PersistentVolumeClaim');
  assert.deepEqual(
    claims.map((c) => c.metadata.name),
    [EXPORTER_STATE_CLAIM],
  );
  const dep = (n: string) => ofKind('Deployment').find((d) => d.metadata.name === n)!.spec;
  const exporter = dep('ml-model-exporter');
  assert.equal(exporter.strategy.type, 'Recreate', 'a ReadWriteOnce claim is let go before the next pod starts');
  assert.deepEqual((exporter.template.spec.volumes as Any[]).find((v) => v.name === 'data')?.persistentVolumeClaim, {
    claimName: EXPORTER_STATE_CLAIM,
  });
  const gateway = dep('inference-gateway').template.spec;
  assert.ok(
    (gateway.volumes as Any[]).every((v) => !v.persistentVolumeClaim),
    'the gateway mounts no claim',
  );
  const args = gateway.containers[0].args as string[];
  const target = args[args.indexOf('--forward-events') + 1];
  assert.equal(target, `http://ml-model-exporter.${DEFAULT_KUBERNETES_OPTIONS.namespace}.svc:${DEFAULT_PORTS['ml-model-exporter']}`);
});

test('secrets are referenced, never inlined: no Secret is rendered, and every credential comes from a secretKeyRef', () => {
  assert.equal(ofKind('Secret').length, 0);
  for (const dep of ofKind('Deployment')) {
    for (const c of dep.spec.template.spec.containers as Any[]) {
      for (const e of (c.env ?? []) as Any[]) {
        if (/TOKEN|PASSWORD|SECRET|KEY/i.test(e.name as string)) {
          assert.equal(e.value, undefined, `${dep.metadata.name}: ${e.name} has no literal value`);
          assert.equal(e.valueFrom.secretKeyRef.name, DEFAULT_KUBERNETES_OPTIONS.exporterSecretName);
        }
      }
    }
  }
  const all = files.map((f) => readFileSync(fromRepo(MANIFEST_DIR, f), 'utf8')).join('\n');
  assert.doesNotMatch(all, /kind: Secret\b|stringData:|hooks\.slack\.com\/services\/T/);
});

test('the dashboards reach kube-prometheus-stack’s Grafana: one sidecar ConfigMap per dashboard and the datasource, in the monitoring namespace', () => {
  const maps = ofKind('ConfigMap');
  const dashboards = maps.filter((m) => m.metadata.labels[GRAFANA_SIDECAR.dashboardLabel] === '1');
  assert.deepEqual(dashboards.map((m) => m.metadata.name as string).sort(), Object.values(DASHBOARD_UIDS).sort());
  for (const m of maps) assert.equal(m.metadata.namespace, DEFAULT_KUBERNETES_OPTIONS.monitoringNamespace);
  for (const m of dashboards) {
    const [file, json] = Object.entries(m.data as Record<string, string>)[0]!;
    const d = JSON.parse(json) as { uid: string; templating: { list: Array<{ name: string; query: string }> } };
    assert.equal(file, `${d.uid}.json`);
    assert.equal(d.templating.list.find((v) => v.name === 'console')?.query, DEFAULT_KUBERNETES_OPTIONS.consoleUrl);
  }
  const ds = maps.filter((m) => m.metadata.labels[GRAFANA_SIDECAR.datasourceLabel] === '1');
  assert.equal(ds.length, 1);
  const doc = parse(Object.values(ds[0]!.data as Record<string, string>)[0]!) as { datasources: Array<{ uid: string; url: string }> };
  assert.deepEqual(
    doc.datasources.map((x) => [x.uid, x.url]),
    [['mlmon-prometheus', DEFAULT_KUBERNETES_OPTIONS.prometheusUrl]],
  );
});

test('the kustomization names every other file of the folder, so kubectl apply -k applies the whole bundle', () => {
  const k = docsOf(KUSTOMIZATION_FILE);
  assert.equal(k.length, 1);
  assert.equal(k[0]!.kind, 'Kustomization');
  assert.equal(k[0]!.apiVersion, 'kustomize.config.k8s.io/v1beta1');
  assert.equal(k[0]!.namespace, undefined, 'no namespace override: the Grafana ConfigMaps live in the monitoring namespace');
  assert.deepEqual([...(k[0]!.resources as string[])].sort(), files.filter((f) => f !== KUSTOMIZATION_FILE).sort());
});

test('YAML 1.1: strings a YAML 1.1 reader would take for something else are quoted, the rest stay plain', () => {
  for (const s of ['=', 'on', 'Off', 'yes', 'N', '~', '0755', '0x1f', '1:30', '.5', '2024-01-01', '.inf']) assert.ok(yaml11Ambiguous(s), s);
  for (const s of ['slo', 'http://x:9090', '=~', 'on-call', '1.5s', 'v1', 'p99']) assert.ok(!yaml11Ambiguous(s), s);
  assert.equal(stringifyYaml11({ matchType: '=', a: 'no', b: 3 }), 'matchType: "="\na: "no"\nb: 3\n');
});

test('every YAML file we generate reads the same in a YAML 1.1 reader (PyYAML, as Ansible uses) as in a YAML 1.2 one', () => {
  const probe = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, `PyYAML is needed for this check (Debian: python3-yaml; scripts/setup.sh installs it): ${probe.stderr}`);
  const yamlFiles = generatedFiles().filter((f) => /\.ya?ml$/.test(f.path));
  assert.ok(yamlFiles.length > 20, `${yamlFiles.length} generated YAML files`);
  const ours = yamlFiles.map((f) => parseAllDocuments(f.content).map((d) => d.toJS() as unknown));
  const script =
    'import json, sys, yaml\n' +
    'out = []\n' +
    'for text in json.load(sys.stdin):\n' +
    '    out.append(list(yaml.safe_load_all(text)))\n' +
    'json.dump(out, sys.stdout, default=str)\n';
  const r = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(yamlFiles.map((f) => f.content)),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  const theirs = JSON.parse(r.stdout) as unknown[];
  yamlFiles.forEach((f, i) => assert.deepEqual(theirs[i], JSON.parse(JSON.stringify(ours[i])), `${f.path} reads differently in PyYAML`));
});
