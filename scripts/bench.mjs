// npm run bench [-- PATH…]: measures, in one run, how the full analysis compares with parsing alone,
// and how fast the server answers an edit. Prints one JSON line per corpus and one for the server.
// Default corpus: test-workspace. Ratios matter, not absolute seconds (machines differ).
import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import { createRequire } from 'module';
import { dirname, join, resolve } from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { performance } from 'perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const { Parser, Language } = require('web-tree-sitter');
const rpc = require('vscode-languageserver-protocol/node');

const paths = process.argv.slice(2).length ? process.argv.slice(2) : [join(root, 'test-workspace')];

async function rawParseSeconds(files) {
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(join(root, 'dist', 'tree-sitter-elixir.wasm')));
  const start = performance.now();
  for (const text of files) parser.parse(text).delete();
  return (performance.now() - start) / 1000;
}

function runCli(path) {
  return new Promise((done) => {
    const start = performance.now();
    const child = spawn(process.execPath, [join(root, 'dist', 'cli.js'), path, '--format', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', () => done({ seconds: (performance.now() - start) / 1000, findings: JSON.parse(out || '{"findings":[]}').findings.length }));
  });
}

function listFiles(path) {
  // the CLI's own walker, from the bundle-free sources is not importable here; a plain walk is enough
  const out = [];
  const fs = require('fs');
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['deps', '_build', 'node_modules', '.git'].includes(e.name)) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.exs?$/.test(e.name)) out.push(full);
    }
  };
  fs.statSync(path).isFile() ? out.push(path) : walk(path);
  return out;
}

for (const path of paths) {
  const files = listFiles(resolve(path)).map((f) => readFileSync(f, 'utf8'));
  const mb = files.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1048576;
  const raw = await rawParseSeconds(files);
  const scan = await runCli(resolve(path));
  console.log(JSON.stringify({
    corpus: path, files: files.length, mb: +mb.toFixed(2), raw_parse_s: +raw.toFixed(3), scan_s: +scan.seconds.toFixed(3),
    scan_vs_raw_parse: +(scan.seconds / raw).toFixed(2), findings: scan.findings,
    note: 'scan_s includes starting node and loading the grammar',
  }));
}

// The server: cold start to first diagnostics, then single-character edits on a 3,000-line file.
const unit = readFileSync(join(root, 'test-workspace', 'lib', 'shop', 'user_store.ex'), 'utf8');
let big = '';
for (let i = 0; big.split('\n').length < 3000; i++) big += unit.replace(/Shop\.UserStore/g, `Shop.UserStore${i}`);
const spawnedAt = performance.now();
const child = spawn(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
const waiting = new Map();
connection.onNotification('textDocument/publishDiagnostics', (p) => waiting.get(p.version)?.(p));
connection.listen();
await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 0 } });
connection.sendNotification('initialized', {});
const uri = pathToFileURL('/bench/big.ex').href;
const published = (version) => new Promise((r) => waiting.set(version, r));
let first = published(1);
connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'elixir', version: 1, text: big } });
await first;
const coldStart = performance.now() - spawnedAt;
const latencies = [];
const lines = big.split('\n');
for (let version = 2; version < 502; version++) {
  const line = (version * 37) % lines.length;
  const next = published(version);
  const sent = performance.now();
  connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: version % 2 ? ' ' : '' }],
  });
  await next;
  latencies.push(performance.now() - sent);
}
latencies.sort((a, b) => a - b);
const pct = (p) => +latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
console.log(JSON.stringify({ server: 'dist/server.js', file_lines: lines.length, cold_start_ms: +coldStart.toFixed(0), keystroke_p50_ms: pct(0.5), keystroke_p99_ms: pct(0.99), edits: latencies.length }));
await connection.sendRequest('shutdown');
connection.sendNotification('exit');
