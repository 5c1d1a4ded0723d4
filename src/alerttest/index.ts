/** The alert test room: scenarios as data, a runner that injects real faults
 * into a stack and follows each alert to its receiver, and `mlmon test-alerts`. */
export {
  SCENARIOS,
  findScenario,
  type Scenario,
  type AlertRef,
  type Delivery,
  type QuietRule,
  type Fault,
  type Theory,
} from './scenarios.js';
export { runAlertTests, type SuiteOptions, type SuiteResult } from './suite.js';
export { runScenario, runScenarios, warmUp, undoAll, type ScenarioResult, type CheckResult, type RunContext } from './runner.js';
export { measureProductionOutage, outageReport, type OutageMeasurement } from './outage.js';
export { subjectOf, parseTitle, matchesDelivery, breaksQuiet } from './notifications.js';
export { burnDetection, theoryFor, stackTimings } from './theory.js';
export { resultsTable, scenarioList } from './report.js';
export { consoleVoice, type Voice } from './wait.js';
export { registerAlertTestCommands } from './cli.js';
