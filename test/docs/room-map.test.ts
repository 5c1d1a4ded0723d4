/** docs/ARCHITECTURE.md's map of the rooms is the house as the code has it:
 * every room of src/ is on the map, on the floor .dependency-cruiser.cjs
 * gives it, and the map names no room that is gone. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fromRepo } from '../../src/paths.js';

interface Rule {
  name: string;
  comment?: string;
}

function floorsOfLint(): Map<string, number> {
  const config = createRequire(import.meta.url)(fromRepo('.dependency-cruiser.cjs')) as { forbidden: Rule[] };
  const out = new Map<string, number>();
  for (const r of config.forbidden) {
    const m = /^floor-(.+)$/.exec(r.name);
    const floor = /is on floor (\d+)/.exec(r.comment ?? '');
    if (m && floor) out.set(m[1]!, Number(floor[1]));
  }
  return out;
}

function roomsOfSrc(): string[] {
  const src = fromRepo('src');
  return readdirSync(src)
    .filter((name) => statSync(`${src}/${name}`).isDirectory() || name.endsWith('.ts'))
    .map((name) => name.replace(/\.ts$/, ''))
    .sort();
}

function floorsOfMap(): Map<string, number> {
  const doc = readFileSync(fromRepo('docs', 'ARCHITECTURE.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Rooms of the code'), doc.indexOf('\n## ', doc.indexOf('## Rooms of the code') + 1));
  const out = new Map<string, number>();
  for (const m of section.matchAll(/^\| (\d+) \| `([\w-]+)(?:\.ts|\/)` \|/gm)) out.set(m[2]!, Number(m[1]));
  return out;
}

test('every room of src/ has a floor in the lint rules, and every floor a room', () => {
  assert.deepEqual([...floorsOfLint().keys()].sort(), roomsOfSrc());
});

test("the room map in docs/ARCHITECTURE.md lists every room on its lint floor", () => {
  const map = floorsOfMap();
  assert.ok(map.size > 0, 'the map has rows');
  assert.deepEqual(Object.fromEntries([...map].sort()), Object.fromEntries([...floorsOfLint()].sort()));
});
