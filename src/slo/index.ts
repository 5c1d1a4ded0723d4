/** The SLO room: spec → validated model → rules → files. */
export { loadSloSpecFile, parseSloSpec } from './loader.js';
export type { SloSpec } from './spec.js';
export { renderRuleGroups, renderSloRuleFiles, type RenderedFile, type SloCatalogFile } from './render.js';
export type { AlertingRule, RecordingRule, RuleGroup } from './rules.js';
export { buildSloModels, type Slo } from './model.js';
export {
  burnRateWindows,
  CATCH_UP_SECONDS,
  MIN_SCRAPES_PER_WINDOW,
  positiveSeconds,
  rangeJustUnder,
  secondsText,
  tierDetectionSeconds,
  windowDetectionSeconds,
  type SloWindows,
} from './windows.js';
export {
  bucketMissingAlertName,
  burnAlertName,
  CATALOG_FILE,
  GENERATED_HEADER,
  GROUP_NAMES,
  noDataAlertName,
  sloSeries,
} from './conventions.js';
export { registerSloCommands } from './cli.js';
export { staleRuleFiles, writeRuleFiles } from './files.js';
