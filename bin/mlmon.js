#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm run build`
// (npm start and npm test build first through scripts/ensure.sh).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('mlmon: not built yet. Run `npm run build` (or `bash scripts/ensure.sh`) in the repository first.\n');
  process.exit(2);
}
await import(entry.href);
