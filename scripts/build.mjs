// Bundles the client, the server and the CLI with esbuild into dist/, next to the wasm files they load.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'fs';
import { createRequire } from 'module';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  minify: process.argv.includes('--minify'),
  logLevel: 'warning',
  // web-tree-sitter reads import.meta.url, which a CommonJS bundle lacks: give it this file's URL.
  define: { __CHOKEPOINT_VERSION__: JSON.stringify(version), 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'extension.js'), external: ['vscode'] }),
  build({ ...common, entryPoints: [join(root, 'server/src/lsp/main.ts')], outfile: join(dist, 'server.js') }),
  build({ ...common, entryPoints: [join(root, 'server/src/cli/main.ts')], outfile: join(dist, 'cli.js'), banner: { js: `#!/usr/bin/env node\n${common.banner.js}` } }),
  // The TypeScript compiler is large: its own file, loaded the first time a .ts/.js file is analysed.
  build({ ...common, entryPoints: [join(root, 'server/src/typescript/index.ts')], outfile: join(dist, 'typescript.js') }),
  // The CLI's worker threads: each parses a share of a large workspace.
  build({ ...common, entryPoints: [join(root, 'server/src/cli/scan-worker.ts')], outfile: join(dist, 'scan-worker.js') }),
]);
chmodSync(join(dist, 'cli.js'), 0o755);

// The wasm files are loaded at run time from the folder of the bundle.
copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(require.resolve('tree-sitter-elixir/tree-sitter-elixir.wasm'), join(dist, 'tree-sitter-elixir.wasm'));
console.log(`built dist/ (chokepoint ${version})`);
