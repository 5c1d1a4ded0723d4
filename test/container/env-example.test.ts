/** .env.example documents every variable docker-compose.yml reads, with the
 * default the compose file falls back on, and nothing the compose file does
 * not read, so the two cannot drift apart. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COMPOSE_VARIABLES, composeVariablesUsed } from '../../src/container/index.js';
import { fromRepo } from '../../src/paths.js';
import { ADMIN_PASSWORD_ENV, ADMIN_USER_ENV } from '../../src/upstream/index.js';

interface Documented {
  value: string;
  /** The comment lines right above the assignment. */
  comment: string[];
}

/** `# --- Title ---` starts a section; each `NAME=value` with the comment above it. */
function sections(text: string): Map<string, Map<string, Documented>> {
  const out = new Map<string, Map<string, Documented>>();
  let current = new Map<string, Documented>();
  out.set('', current);
  let comment: string[] = [];
  for (const line of text.split('\n')) {
    const title = /^# --- (.+?) -+$/.exec(line);
    if (title) {
      current = new Map();
      out.set(title[1]!, current);
      comment = [];
      continue;
    }
    const assign = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (assign) {
      current.set(assign[1]!, { value: assign[2]!, comment });
      comment = [];
    } else if (line.startsWith('#')) comment.push(line);
    else comment = [];
  }
  return out;
}

const example = sections(readFileSync(fromRepo('.env.example'), 'utf8'));
const composeText = readFileSync(fromRepo('docker-compose.yml'), 'utf8');

test('every ${VAR} of docker-compose.yml is documented in the Docker Compose section of .env.example, with its default and a comment', () => {
  const used = composeVariablesUsed(composeText);
  const documented = example.get('Docker Compose');
  assert.ok(documented, '.env.example has a "# --- Docker Compose ---" section');
  assert.ok(used.size >= 4, `${used.size} variables used`);
  for (const [name, fallback] of used) {
    const d = documented.get(name);
    assert.ok(d, `${name} (used by docker-compose.yml) is documented in .env.example`);
    assert.equal(d.value, fallback ?? '', `${name}: .env.example shows the compose default`);
    assert.ok(d.comment.length > 0, `${name} has a comment`);
  }
});

test("every variable of the Docker Compose section is read by docker-compose.yml, and each is one of the renderer's", () => {
  const used = composeVariablesUsed(composeText);
  const documented = [...example.get('Docker Compose')!.keys()];
  assert.deepEqual(
    documented.filter((n) => !used.has(n)),
    [],
    'documented but unused',
  );
  assert.deepEqual(
    [...used.keys()].sort(),
    Object.values(COMPOSE_VARIABLES)
      .map((v) => v.name)
      .sort(),
  );
});

test('the notification variables stay documented too (what `mlmon up` and `mlmon compose configure` read)', () => {
  const all = new Set([...example.values()].flatMap((m) => [...m.keys()]));
  for (const name of [
    'SLACK_WEBHOOK_URL',
    'PAGERDUTY_ROUTING_KEY',
    'PAGERDUTY_URL',
    'SMTP_SMARTHOST',
    'SMTP_PASSWORD',
    'HEARTBEAT_URL',
    ADMIN_USER_ENV,
    ADMIN_PASSWORD_ENV,
  ])
    assert.ok(all.has(name), name);
  // No value of a secret is filled in.
  for (const m of example.values())
    for (const name of ['SLACK_WEBHOOK_URL', 'PAGERDUTY_ROUTING_KEY', 'SMTP_PASSWORD', 'HEARTBEAT_URL', ADMIN_PASSWORD_ENV])
      if (m.has(name)) assert.equal(m.get(name)!.value, '', name);
});
