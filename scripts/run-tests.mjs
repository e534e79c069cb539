// Runs every test file with node:test (TypeScript through tsx) and the reporter that ends with
// "N passed, N failed". Exits non-zero when a test failed. Expects `npm run build` to have run.
import { spawnSync } from 'child_process';
import { existsSync, readdirSync } from 'fs';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'server.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort()
  .map((f) => join('test', f));
const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=1',
  '--test-reporter', './test/reporter.mjs', '--test-reporter-destination', 'stdout',
  ...files,
], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
