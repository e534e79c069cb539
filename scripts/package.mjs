// Writes chokepoint-<version>.vsix with @vscode/vsce and checks what went in: the bundles, the wasm
// files and the docs; no node_modules, no sources, under 4 MB.
import { execFileSync } from 'child_process';
import { readFileSync, statSync } from 'fs';
import { createRequire } from 'module';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = `chokepoint-${version}.vsix`;

const files = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
  .split('\n').map((f) => f.trim()).filter(Boolean);
const required = ['examples/user_store.ex', 'docs/walkthrough/checklist.md', 'dist/extension.js', 'dist/server.js', 'dist/cli.js', 'dist/scan-worker.js', 'dist/typescript.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-elixir.wasm', 'docs/rules/repo-in-server.md', 'snippets/elixir.json'];
const missing = required.filter((f) => !files.includes(f));
const unwanted = files.filter((f) => f.startsWith('node_modules/') || (/\.(ts|map)$/.test(f) && !f.startsWith('examples/')) || f.startsWith('server/') || f.startsWith('client/') || f.startsWith('test'));
if (missing.length || unwanted.length) {
  console.error(`package contents are wrong:\n  missing: ${missing.join(', ') || '-'}\n  unwanted: ${unwanted.join(', ') || '-'}`);
  process.exit(1);
}
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], { cwd: root, stdio: 'inherit' });
const size = statSync(join(root, out)).size;
if (size > 4 * 1024 * 1024) {
  console.error(`${out} is ${(size / 1048576).toFixed(2)} MB, above the 4 MB budget`);
  process.exit(1);
}
console.log(`${out}: ${files.length} files, ${(size / 1048576).toFixed(2)} MB`);
