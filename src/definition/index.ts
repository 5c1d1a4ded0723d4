/** The stack definition: what a stack is (components, ports, paths, profile,
 * scrape jobs, remote write), the state a running stack records, and the small
 * edges every room needs to read it (programs on PATH, .env). Ground floor:
 * it imports no other room. */
export {
  COMPONENT_NAMES,
  DEFAULT_COMPONENTS,
  DEFAULT_DATA_DIR,
  DEFAULT_PORTS,
  DATA_DIR_ENV,
  dataDirFrom,
  RUN_SLO_CATALOG,
  defaultSettings,
  PROTECTED_COMPONENTS,
  schemeOf,
  stackPaths,
  urlOf,
  type StackAccess,
  type ComponentName,
  type PortName,
  type StackPaths,
  type StackSettings,
} from './settings.js';
export { TEST_PROFILE_FACTOR, type Profile } from './profile.js';
export {
  DEFAULT_QUEUE,
  DEFAULT_REMOTE_NAME,
  DEFAULT_REMOTE_TIMEOUT,
  FORWARDED_SERIES,
  forwardedNameRegex,
  renderRemoteWrite,
  type QueueSettings,
  type RemoteWriteAuth,
  type RemoteWriteSettings,
} from './remote-write.js';
export {
  DROPPED_FAMILIES,
  PUSHGATEWAY_SAMPLE_LIMIT,
  PUSHED_JOB_PREFIX,
  pushgatewayScrapeConfig,
  STACK_AUTH_PROBE_MODULE,
  renderPrometheusConfig,
  scrapeJobs,
  SCRAPED_JOB_NAMES,
  clientAuthConfig,
  type PrometheusConfigOptions,
  type ScrapeJob,
  type TargetGroup,
} from './scrape-jobs.js';
export { RULE_FILE, RULE_FILES } from './rule-files.js';
export { TEST_RULE_SCALING, TEST_RULES_HEADER, scaleAlertingRulesForTest, scaleRanges, type RuleScaling } from './rule-scaling.js';
export {
  pidAlive,
  pidCommandLine,
  readState,
  writeState,
  type ComponentState,
  type ComponentStatus,
  type ComponentAuth,
  type StackPhase,
  type StackState,
} from './state.js';
export { findProgram, requireProgram, runTool, type ToolResult } from './tools.js';
export { withDotEnv } from './dotenv.js';
export { GRAFANA, GRAFANA_DIRS } from './grafana.js';
export { CONTAINER_METRICS, CONTAINER_SERIES, HTTP_METRICS, HTTP_SERIES, renderServiceRecordingRules } from './service-series.js';
export { renderBlackboxConfig, withStackProbeModule } from './blackbox-config.js';
