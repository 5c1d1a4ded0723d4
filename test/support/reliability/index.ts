// The reliability room: drivers the reliability suite uses (load from a separate
// process, procfs listeners and memory, secret scanning) and the report it writes.
export { runAutocannon, type CannonOptions, type CannonResult } from './load.js';
export { listenersOf, parseListening, decodeProcAddress, rssBytes, type Listener } from './procfs.js';
export { scanForSecrets, textFiles, repositoryFiles, SECRET_PATTERNS, type SecretFinding } from './secrets.js';
export {
  FindingLog,
  readSections,
  renderReliabilityReport,
  writeReliabilityReport,
  soakMode,
  REPORT_PATH,
  RESULTS_DIR,
  type Finding,
  type Verdict,
  type SectionResult,
} from './report.js';
