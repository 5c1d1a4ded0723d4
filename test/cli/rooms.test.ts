import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { COMMAND_ROOMS, ROOMS, roomsFor, type RoomName } from '../../src/cli/rooms.js';

/** What a room registers: its top-level commands, and `serve <component>` for each component. */
async function registeredBy(room: RoomName): Promise<string[]> {
  const program = new Command();
  (await ROOMS[room]())(program);
  return program.commands.flatMap((c) => (c.name() === 'serve' ? c.commands.map((s) => `serve ${s.name()}`) : [c.name()]));
}

test('the command table names the room that registers each command, and every command is in it', async () => {
  const seen = new Set<string>();
  for (const room of Object.keys(ROOMS) as RoomName[]) {
    for (const key of await registeredBy(room)) {
      assert.equal(
        COMMAND_ROOMS[key],
        room,
        `"mlmon ${key}" is registered by the ${room} room: add it to COMMAND_ROOMS in src/cli/rooms.ts`,
      );
      seen.add(key);
    }
  }
  for (const key of Object.keys(COMMAND_ROOMS)) assert.ok(seen.has(key), `COMMAND_ROOMS names "${key}", which no room registers`);
});

test('a command loads its own room only; help and unknown commands load every room', () => {
  assert.deepEqual(roomsFor(['serve', 'exporter', '--port', '9101']), ['exporter']);
  assert.deepEqual(roomsFor(['up', '--detach']), ['stack']);
  assert.deepEqual(roomsFor(['model', 'register', 'x']), ['gateway']);
  assert.equal(roomsFor([]).length, Object.keys(ROOMS).length);
  assert.equal(roomsFor(['--help']).length, Object.keys(ROOMS).length);
  assert.equal(roomsFor(['serve']).length, Object.keys(ROOMS).length);
  assert.equal(roomsFor(['nonsense']).length, Object.keys(ROOMS).length);
});
