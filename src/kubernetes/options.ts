import { MlmonError } from '../errors.js';
import { DEFAULT_KUBERNETES_OPTIONS, type KubernetesOptions } from './conventions.js';

/** Kubernetes name rules (apimachinery's validation): a namespace is a
 * DNS-1123 label; a label key is an optional DNS-1123 subdomain prefix and a
 * name; a label value is empty or a name. Checked here because the API
 * server would refuse the manifests only at `kubectl apply`, far from the flag. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function optionError(flag: string, message: string, hint: string): MlmonError {
  return new MlmonError('bad_option', message, { location: flag, hint });
}

/** Problems with a DNS-1123 label (namespace), or undefined. Pure. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > 63) return `is ${value.length} characters long (at most 63)`;
  if (!DNS1123_LABEL.test(value)) return 'must be lower-case letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

/** Problems with a label key, or undefined. Pure. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `prefix "${prefix}" must be a DNS subdomain (lower-case, e.g. example.com), at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `name "${name}" must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Problems with a label value, or undefined. Pure. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `is ${value.length} characters long (at most 63)`;
  if (!LABEL_NAME.test(value)) return 'must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

/** `release=monitoring` → ['release', 'monitoring'], validated. */
export function parseSelectorLabel(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  const hint =
    'Give the label your Prometheus selects rules and monitors by, e.g. --selector release=kube-prometheus-stack (kubectl get prometheus -A -o yaml | grep -A3 ruleSelector).';
  if (eq < 0) throw optionError('--selector', `"${arg}" is not key=value`, hint);
  const key = arg.slice(0, eq);
  const value = arg.slice(eq + 1);
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) throw optionError('--selector', `label key "${key}": ${keyProblem}`, hint);
  const valueProblem = labelValueProblem(value);
  if (valueProblem) throw optionError('--selector', `label value "${value}" of ${key}: ${valueProblem}`, hint);
  return [key, value];
}

export interface KubernetesFlags {
  namespace?: string;
  /** key=value, repeatable; replaces the default `release: kube-prometheus-stack`. */
  selector?: string[];
  secretName?: string;
  monitoringNamespace?: string;
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  consoleUrl?: string;
  exporterSecretName?: string;
}

function httpUrl(flag: string, value: string | undefined, fallback: string): string {
  const v = value ?? fallback;
  let u: URL | undefined;
  try {
    u = new URL(v);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:'))
    throw optionError(flag, `"${v}" is not an http(s) URL`, `e.g. ${flag} ${fallback}`);
  return v.replace(/\/+$/, '');
}

/** The manifests' options from command-line flags (pure): defaults for what
 * is not given, every name validated with an error naming the flag. */
export function kubernetesOptionsFrom(flags: KubernetesFlags): KubernetesOptions {
  const namespace = flags.namespace ?? DEFAULT_KUBERNETES_OPTIONS.namespace;
  const nsProblem = dns1123LabelProblem(namespace);
  if (nsProblem)
    throw optionError(
      '--namespace',
      `namespace "${namespace}" ${nsProblem}`,
      'Use the namespace the gateway and exporter run in, e.g. --namespace ml-serving.',
    );
  const secretName = flags.secretName ?? DEFAULT_KUBERNETES_OPTIONS.secretName;
  if (secretName.length > 253 || !DNS1123_SUBDOMAIN.test(secretName)) {
    throw optionError(
      '--secret-name',
      `secret name "${secretName}" must be a DNS subdomain: lower-case letters, digits, "-" and "."`,
      'e.g. --secret-name mlmon-alertmanager',
    );
  }
  const selectorLabels =
    flags.selector && flags.selector.length > 0
      ? Object.fromEntries(flags.selector.map(parseSelectorLabel))
      : { ...DEFAULT_KUBERNETES_OPTIONS.selectorLabels };
  const monitoringNamespace = flags.monitoringNamespace ?? DEFAULT_KUBERNETES_OPTIONS.monitoringNamespace;
  const monProblem = dns1123LabelProblem(monitoringNamespace);
  if (monProblem)
    throw optionError(
      '--monitoring-namespace',
      `namespace "${monitoringNamespace}" ${monProblem}`,
      'e.g. --monitoring-namespace monitoring',
    );
  const exporterSecretName = flags.exporterSecretName ?? DEFAULT_KUBERNETES_OPTIONS.exporterSecretName;
  if (exporterSecretName.length > 253 || !DNS1123_SUBDOMAIN.test(exporterSecretName)) {
    throw optionError(
      '--exporter-secret-name',
      `secret name "${exporterSecretName}" must be a DNS subdomain`,
      'e.g. --exporter-secret-name mlmon-exporter',
    );
  }
  return {
    ...DEFAULT_KUBERNETES_OPTIONS,
    email: { ...DEFAULT_KUBERNETES_OPTIONS.email },
    namespace,
    secretName,
    selectorLabels,
    monitoringNamespace,
    exporterSecretName,
    prometheusUrl: httpUrl('--prometheus-url', flags.prometheusUrl, DEFAULT_KUBERNETES_OPTIONS.prometheusUrl),
    alertmanagerUrl: httpUrl('--alertmanager-url', flags.alertmanagerUrl, DEFAULT_KUBERNETES_OPTIONS.alertmanagerUrl),
    consoleUrl: httpUrl('--console-url', flags.consoleUrl, DEFAULT_KUBERNETES_OPTIONS.consoleUrl),
  };
}
