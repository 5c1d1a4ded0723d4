import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromRepo } from '../../src/paths.js';
import { loadSloSpecFile, renderSloRuleFiles } from '../../src/slo/index.js';

describe('committed SLO rule files', () => {
  it('are exactly what config/slos.yaml generates', () => {
    const files = renderSloRuleFiles(loadSloSpecFile(fromRepo('config/slos.yaml')), { profile: 'production' });
    for (const f of files) {
      const path = fromRepo('config/prometheus', f.file);
      let committed = '';
      try {
        committed = readFileSync(path, 'utf8');
      } catch {
        assert.fail(`config/prometheus/${f.file} is missing: run \`mlmon generate\` and commit the result`);
      }
      assert.ok(committed === f.content, `config/prometheus/${f.file} is stale: run \`mlmon generate\` and commit the result`);
    }
  });
});
