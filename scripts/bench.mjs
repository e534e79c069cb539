// npm run bench [-- PATH…]: measures, in one run, how the full analysis compares with parsing alone,
// and how fast the server answers an edit. Prints one JSON line per corpus and one for the server.
// Ratios matter, not absolute seconds (machines differ).
import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import { tmpdir } from 'os';
import { createRequire } from 'module';
import { dirname, join, resolve } from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { performance } from 'perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const { Parser, Language } = require('web-tree-sitter');
const rpc = require('vscode-languageserver-protocol/node');

// The corpus the script generates deterministically (about 3,000 Elixir files / 20 MB and 1,000
// TypeScript files), then the real checkouts given as paths. `--no-corpus` measures the paths alone.
const args = process.argv.slice(2);
const paths = [...(args.includes('--no-corpus') ? [] : [generateCorpus(join(tmpdir(), 'chokepoint-bench-corpus'))]), ...args.filter((a) => a !== '--no-corpus')];

async function rawParseSeconds(files) {
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(join(root, 'dist', 'tree-sitter-elixir.wasm')));
  const start = performance.now();
  for (const text of files) parser.parse(text).delete();
  return (performance.now() - start) / 1000;
}

/** A deterministic app: contexts, schemas, controllers, and a few servers (some of them bottlenecks). */
function generateCorpus(dir) {
  const fs = require('fs');
  if (fs.existsSync(join(dir, '.complete'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  let seed = 7;
  const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const fn = (m, i) => `  def f${i}(params) do\n    params\n    |> Map.get(:items, [])\n    |> Enum.map(fn item -> %{item | total: item.qty * item.price_cents} end)\n    |> Enum.filter(&(&1.total > ${i}))\n    |> then(fn rows -> Repo.insert_all("${m}_rows", rows) end)\n  end\n`;
  for (let i = 0; i < 3000; i++) {
    const kind = i % 60 === 0 ? 'server' : i % 3 === 0 ? 'controller' : 'context';
    const m = `App.Domain${i % 97}.Part${i}`;
    let body = '';
    if (kind === 'server') body = `  use GenServer\n  alias App.Repo\n  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)\n  def get(id), do: GenServer.call(__MODULE__, {:get, id})\n  def init(s), do: {:ok, s}\n  def handle_call({:get, id}, _from, s), do: {:reply, Repo.get(Item, id), s}\n`;
    else if (kind === 'controller') body = `  use AppWeb, :controller\n  def show(conn, %{"id" => id}), do: json(conn, App.Domain${i % 97}.Part${i - (i % 60)}.get(id))\n`;
    else body = `  import Ecto.Query\n  alias App.Repo\n`;
    for (let k = 0; k < 36 + rnd(8); k++) body += fn(`p${i}`, k);
    const file = join(dir, 'elixir', 'lib', `domain${i % 97}`, `part${i}.ex`);
    fs.mkdirSync(dirname(file), { recursive: true });
    fs.writeFileSync(file, `defmodule ${m} do\n  @moduledoc "Generated part ${i}."\n${body}end\n`);
  }
  for (let i = 0; i < 1000; i++) {
    const lock = i % 50 === 0;
    let text = `import { Pool } from 'pg';\n${lock ? "import { Mutex } from 'async-mutex';\nconst lock = new Mutex();\n" : ''}const pool = new Pool();\n`;
    for (let k = 0; k < 20 + rnd(6); k++) {
      text += `export async function f${k}(id: string, rows: Array<{ qty: number; price: number }>): Promise<number> {\n  const total = rows.map((r) => r.qty * r.price).reduce((a, b) => a + b, 0);\n  ${lock && k === 0 ? 'return lock.runExclusive(async () => (await pool.query("select $1::int", [total])).rowCount ?? 0);' : 'const { rowCount } = await pool.query("insert into t (id, total) values ($1, $2)", [id, total]);\n  return rowCount ?? 0;'}\n}\n`;
    }
    const file = join(dir, 'ts', 'src', `module${i}.ts`);
    fs.mkdirSync(dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  fs.writeFileSync(join(dir, '.complete'), '');
  return dir;
}

function listFiles(path, pattern) {
  const out = [];
  const fs = require('fs');
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['deps', '_build', 'node_modules', '.git'].includes(e.name)) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (pattern.test(e.name) && !/\.d\.ts$/.test(e.name)) out.push(full);
    }
  };
  fs.statSync(path).isFile() ? out.push(path) : walk(path);
  return out;
}

/** Runs a command; resolves with its wall time and peak resident memory (Linux /proc), and its stdout. */
function timed(command, args) {
  return new Promise((done) => {
    const fs = require('fs');
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let peak = 0;
    child.stdout.on('data', (c) => (out += c));
    const poll = setInterval(() => {
      try {
        const kb = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (kb) peak = Math.max(peak, Number(kb[1]) / 1024);
      } catch { /* exited */ }
    }, 20);
    child.on('exit', () => {
      clearInterval(poll);
      done({ seconds: (performance.now() - start) / 1000, out, rssMb: peak });
    });
  });
}

/** Time for the server's background index of a folder (initialized → progress ends). */
async function indexSeconds(path) {
  const child = spawn(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  let ended;
  const done = new Promise((r) => (ended = r));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification('$/progress', (p) => p.value.kind === 'end' && ended());
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(path).href, workspaceFolders: [{ uri: pathToFileURL(path).href, name: 'bench' }], capabilities: { window: { workDoneProgress: true } }, initializationOptions: { debounceMs: 0 } });
  const start = performance.now();
  connection.sendNotification('initialized', {});
  await done;
  const seconds = (performance.now() - start) / 1000;
  await connection.sendRequest('shutdown');
  connection.sendNotification('exit');
  return seconds;
}

const astGrep = join(root, 'node_modules', '.bin', 'ast-grep');
const { ts } = require('ts-morph');

for (const path of paths) {
  const abs = resolve(path);
  const elixirFiles = listFiles(abs, /\.exs?$/);
  const tsFiles = listFiles(abs, /\.[cm]?[jt]sx?$/);
  // Each scan gets its language's files (a real checkout mixes them); the CLI takes files as paths.
  let elixirFields = { files: 0 };
  let rss = 0;
  let findings = 0;
  if (elixirFiles.length) {
    const elixirTexts = elixirFiles.map((f) => readFileSync(f, 'utf8'));
    const mb = elixirTexts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1048576;
    const raw = await rawParseSeconds(elixirTexts);
    const scan = await timed(process.execPath, [join(root, 'dist', 'cli.js'), ...elixirFiles, '--format', 'json']);
    const grep = await timed(astGrep, ['run', '--pattern', 'GenServer.call($$$A)', '--lang', 'elixir', '--json=compact', ...elixirFiles]);
    rss = scan.rssMb;
    findings += JSON.parse(scan.out || '{"findings":[]}').findings.length;
    elixirFields = {
      files: elixirFiles.length, mb: +mb.toFixed(2), raw_parse_s: +raw.toFixed(3), scan_s: +scan.seconds.toFixed(3),
      scan_vs_raw_parse: +(scan.seconds / raw).toFixed(2), astgrep_s: +grep.seconds.toFixed(3), scan_vs_astgrep: +(scan.seconds / grep.seconds).toFixed(2),
    };
  }
  let tsFields = {};
  if (tsFiles.length) {
    const texts = tsFiles.map((f) => readFileSync(f, 'utf8'));
    const t = performance.now();
    for (let i = 0; i < texts.length; i++) ts.createSourceFile(tsFiles[i], texts[i], ts.ScriptTarget.Latest, true);
    const tsParse = (performance.now() - t) / 1000;
    const tsScan = await timed(process.execPath, [join(root, 'dist', 'cli.js'), ...tsFiles, '--format', 'json']);
    rss = Math.max(rss, tsScan.rssMb);
    findings += JSON.parse(tsScan.out || '{"findings":[]}').findings.length;
    tsFields = { ts_files: tsFiles.length, ts_parse_s: +tsParse.toFixed(3), ts_scan_s: +tsScan.seconds.toFixed(3), ts_scan_vs_ts_parse: +(tsScan.seconds / tsParse).toFixed(2) };
  }
  console.log(JSON.stringify({
    corpus: path, ...elixirFields, ...tsFields, index_s: +(await indexSeconds(abs)).toFixed(2), rss_mb_peak: Math.round(rss), findings,
    note: 'scan_s, ts_scan_s and astgrep_s include starting the process; raw_parse_s and ts_parse_s are the parser alone in this process',
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
