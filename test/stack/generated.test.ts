import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staleGeneratedFiles } from '../../src/stack/generate.js';

test('committed generated files are up to date (run `mlmon generate` when this fails)', () => {
  assert.deepEqual(staleGeneratedFiles(), []);
});
