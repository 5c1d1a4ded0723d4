/** The SLO room: spec → validated model → rules → files. */
export { loadSloSpecFile, parseSloSpec } from './loader.js';
export type { SloSpec } from './spec.js';
export { renderSloRuleFiles, type RenderedFile } from './render.js';
export { buildSloModels, type Slo } from './model.js';
export { burnRateWindows, positiveSeconds, rangeJustUnder, secondsText, type SloWindows } from './windows.js';
export { burnAlertName, GENERATED_HEADER, GROUP_NAMES, HTTP_METRICS, sloSeries } from './conventions.js';
export { registerSloCommands } from './cli.js';
export { staleRuleFiles, writeRuleFiles } from './files.js';
