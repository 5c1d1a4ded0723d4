/** The rule files Prometheus loads, each kept in config/prometheus/ and copied
 * into the run directory: the SLO recording and alerting rules that `mlmon
 * generate` renders from config/slos.yaml, the per-service series it renders
 * from the stack definition, and the alerting rules written by hand. The SLO
 * generator and every renderer (native, compose, Kubernetes) take the names from
 * here. */
export const RULE_FILE = {
  /** Rendered from the SLO spec: the SLO event counts, windows and budgets. */
  sloRecording: 'recording_rules.yml',
  /** Rendered from the stack definition (service-series.ts): http:* and container:* series. */
  serviceRecording: 'service_recording_rules.yml',
  /** Written by hand: service, resource, model and self-monitoring alerts. */
  alerting: 'alerting_rules.yml',
  /** Rendered from the SLO spec: the burn-rate alerts. */
  sloAlerting: 'slo_alerting_rules.yml',
} as const;

/** Every rule file, in the order of prometheus.yml's rule_files. */
export const RULE_FILES = [RULE_FILE.sloRecording, RULE_FILE.serviceRecording, RULE_FILE.alerting, RULE_FILE.sloAlerting] as const;
