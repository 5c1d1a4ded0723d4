import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { durationSeconds } from '../duration.js';
import { MlmonError } from '../errors.js';
import { dataDirOption } from '../commandline/index.js';
import { measureProductionOutage, outageReport } from './outage.js';
import { resultsTable, scenarioList } from './report.js';
import { stopOwnStacks } from './own-stack.js';
import { undoAll } from './runner.js';
import { findScenario, scenarioNumber, SCENARIOS, type Scenario } from './scenarios.js';
import { runAlertTests } from './suite.js';
import { consoleVoice } from './wait.js';

interface TestAlertsOptions {
  all?: boolean;
  start?: boolean;
  dataDir: string;
  rate: string;
  keep?: boolean;
  list?: boolean;
  json?: boolean;
  measureOutage?: boolean;
  warmup: string;
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new MlmonError('bad_option', `${what} must be a number above zero, got "${text}"`);
  return n;
}

async function choose(arg: string | undefined, o: TestAlertsOptions): Promise<Scenario[] | undefined> {
  if (o.all) return [...SCENARIOS];
  if (arg) {
    const s = findScenario(arg);
    if (!s)
      throw new MlmonError('unknown_scenario', `no scenario "${arg}"`, {
        hint: `one of: ${SCENARIOS.map((x) => `${scenarioNumber(x)}/${x.id}`).join(', ')}, or --all`,
      });
    return [s];
  }
  process.stdout.write(`${scenarioList(SCENARIOS)}\n\n`);
  if (!process.stdin.isTTY) {
    process.stdout.write('name one (`mlmon test-alerts drift`) or run them all with --all\n');
    return undefined;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question('scenario to run (number or id, "all"): ')).trim();
    if (answer === 'all') return [...SCENARIOS];
    const s = findScenario(answer);
    if (!s) throw new MlmonError('unknown_scenario', `no scenario "${answer}"`);
    return [s];
  } finally {
    rl.close();
  }
}

export function registerAlertTestCommands(program: Command): void {
  dataDirOption(program.command('test-alerts'), 'data directory of the running stack to test')
    .description('inject faults into a stack and check the right alerts fire and reach the right receivers')
    .argument('[scenario]', 'number or id of one scenario (`mlmon test-alerts --list` shows them)')
    .option('--all', 'run every scenario without questions; exit 1 if any fails')
    .option('--start', 'start a test-profile stack of our own on free ports (and stop it afterwards)')
    .option('--rate <n>', 'background predictions per second', '30')
    .option('--keep', 'with --start: keep the data directory (logs, notifications) afterwards')
    .option('--list', 'list the scenarios and exit')
    .option('--json', 'print the results as JSON at the end')
    .option('--measure-outage', 'time the total-outage page on a production-profile stack of our own (takes the warm-up plus minutes)')
    .option('--warmup <duration>', 'with --measure-outage: normal traffic before the outage, so the 1h window is full', '60m')
    .action(async (arg: string | undefined, o: TestAlertsOptions) => {
      const voice = consoleVoice();
      const interrupted = () => {
        // Put the stack back (fault off, frozen process resumed, silence expired)
        // and stop a stack of our own before leaving.
        void undoAll()
          .then(stopOwnStacks)
          .finally(() => process.exit(130));
      };
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      if (o.list) {
        voice.say(scenarioList(SCENARIOS));
        return;
      }
      if (o.measureOutage) {
        const m = await measureProductionOutage(voice, {
          warmupSeconds: durationSeconds(o.warmup, '--warmup'),
          rate: positive(o.rate, '--rate'),
          keep: o.keep ?? false,
        });
        voice.say(`\n${outageReport(m)}`);
        if (o.json) voice.say(JSON.stringify(m, null, 2));
        if (!m.passed) process.exitCode = 1;
        return;
      }
      const chosen = await choose(arg, o);
      if (!chosen) return;
      const r = await runAlertTests({
        scenarios: chosen,
        voice,
        start: Boolean(o.start),
        dataDir: o.dataDir,
        rate: positive(o.rate, '--rate'),
        keep: o.keep ?? false,
      });
      voice.say(`\n${resultsTable(r.results, r.profile)}\ntotal ${(r.totalSeconds / 60).toFixed(1)} min`);
      if (o.json) voice.say(JSON.stringify(r, null, 2));
      if (!r.passed) process.exitCode = 1;
    });
}
