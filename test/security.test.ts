// What the server must never do with a workspace it is pointed at: let its code or file names inject
// markup or command links into hovers, let .chokepoint.json reach outside the folder, run its code,
// spawn a process or open a connection.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ROOT, WORKSPACE, workspaceFiles } from './helpers';
import { LspClient } from './lsp-client';

const IMG = '<img src=x onerror=alert(1)>';
const COMMAND = '[x](command:workbench.action.terminal.new)';
const uriOf = (file: string) => pathToFileURL(file).href;

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
}

/** A path inside `root` (or `root` itself)? */
function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * What CommonMark (and so VS Code's hover renderer) would make of the markdown, read left to right:
 * raw HTML tags and autolinks, and the destination of every link. Backslash escapes and code spans are
 * literal text; a link destination may hold balanced parentheses.
 */
export function markdownProblems(markdown: string, workspace: string): string[] {
  const problems: string[] = [];
  let i = 0;
  while (i < markdown.length) {
    const ch = markdown[i];
    if (ch === '\\' && /[!-/:-@[-`{-~]/.test(markdown[i + 1] ?? '')) { i += 2; continue; }
    if (ch === '`') {
      const run = /^`+/.exec(markdown.slice(i))![0];
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
      close.lastIndex = i + run.length;
      const found = close.exec(markdown);
      i = found ? found.index + run.length : i + run.length;
      continue;
    }
    if (ch === '<' && /^<[A-Za-z/!?]/.test(markdown.slice(i))) problems.push(`raw HTML or autolink: ${markdown.slice(i, i + 40)}`);
    if (ch === ']' && markdown[i + 1] === '(') {
      let depth = 0;
      let j = i + 2;
      let destination = '';
      for (; j < markdown.length; j++) {
        const c = markdown[j];
        if (c === '\\' && j + 1 < markdown.length) { destination += markdown[j + 1]; j++; continue; }
        if (c === '(') depth++;
        if (c === ')') { if (depth === 0) break; depth--; }
        if (/\s/.test(c)) break;
        destination += c;
      }
      if (!destination.startsWith('file:')) {
        problems.push(`a link to ${destination}`);
      } else {
        let file: string;
        try {
          file = fileURLToPath(destination.replace(/#.*$/, ''));
        } catch {
          file = '';
        }
        if (!file || !isInside(workspace, file) || !fs.existsSync(file)) problems.push(`a link to ${destination}, not a file of the workspace`);
      }
      i = j;
      continue;
    }
    i++;
  }
  return problems;
}

describe('hovers and diagnostics show workspace code, never interpret it', () => {
  let dir: string;
  let client: LspClient;
  const files: Record<string, string> = {
    'lib/shop/repo.ex': 'defmodule Shop.Repo do\n  use Ecto.Repo, otp_app: :shop, adapter: Ecto.Adapters.Postgres\nend\n',
    'lib/shop/evil.ex': `defmodule Shop.Evil do
  @moduledoc """
  ${IMG} ${COMMAND} \`\`\` \` <script>alert(1)</script>
  """
  use GenServer

  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)

  def lookup(id), do: GenServer.call(__MODULE__, {:"${IMG}", id})

  def handle_call({:"${IMG}", id}, _from, state) do
    {:reply, Shop.Repo.get(:"${COMMAND}", "\`${IMG}\` \`\`${COMMAND}\`\` \\\\" <> id), state}
  end
end
`,
    'lib/shop/evil_global.ex': `defmodule Shop.EvilGlobal do
  use GenServer

  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: {:global, :"${IMG}${COMMAND}\`"})

  def fetch(key), do: GenServer.call({:global, :"${IMG}${COMMAND}\`"}, {:fetch, key})

  def handle_call({:fetch, key}, _from, state), do: {:reply, Shop.Repo.get(:"${COMMAND}", key), state}
end
`,
    'lib/shop/atom_named.ex': `defmodule :"${IMG}${COMMAND}" do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_call(:all, _from, state), do: {:reply, Shop.Repo.all(:"${IMG}"), state}
end
`,
    // File names are workspace data too: a ")" ends a markdown link destination.
    'lib/shop_web/x)[pwn](command:workbench.action.terminal.new)(.ex': `defmodule ShopWeb.EvilController do
  use ShopWeb, :controller

  def show(conn, %{"id" => id}), do: json(conn, Shop.Evil.lookup("${IMG}" <> id))
  def index(conn, _), do: json(conn, Shop.EvilGlobal.fetch("${COMMAND}"))
end
`,
    'node/src/lock (1) [x].ts': `import { Mutex } from 'async-mutex';
import { Pool } from 'pg';

const pool = new Pool();
const lock = new Mutex();

export async function evil(id: string): Promise<void> {
  await lock.runExclusive(async () => {
    await pool.query("${IMG} ${COMMAND} \`\`\`", [id]);
  });
}
`,
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-escape-'));
    writeTree(dir, files);
    client = await LspClient.start(dir);
    await client.whenIndexed();
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Hovers over every position of the file (every character of every line, and one past the end). */
  async function hoversOf(uri: string, text: string): Promise<string[]> {
    const out: string[] = [];
    const lines = text.split('\n');
    for (let line = 0; line < lines.length; line++) {
      for (let character = 0; character <= lines[line].length; character++) {
        const hover = await client.hover(uri, { line, character });
        if (hover) out.push((hover.contents as { value: string }).value);
      }
    }
    return [...new Set(out)];
  }

  test('hover markdown has no raw HTML and links only to files of the workspace', async () => {
    const checked: string[] = [];
    const problems: string[] = [];
    // As the editor sends them (encoded), and as a careless client might (the path as it is).
    const opened = Object.keys(files).flatMap((name) => {
      const file = path.join(dir, name);
      return [uriOf(file), `file://${file}`];
    });
    for (const uri of [...new Set(opened)]) {
      const name = Object.keys(files).find((n) => uri.endsWith(n) || uri === uriOf(path.join(dir, n)))!;
      await client.open(uri, files[name]);
      for (const value of await hoversOf(uri, files[name])) {
        checked.push(value);
        for (const p of markdownProblems(value, dir)) problems.push(`${name} (${uri === uriOf(path.join(dir, name)) ? 'encoded' : 'raw'} URI): ${p}\n${value}`);
      }
      client.close(uri);
    }
    assert.deepEqual(problems.slice(0, 3), []);
    // The hovers did show the names and the code (escaped), and linked to the evidence lines.
    const all = checked.join('\n');
    assert.ok(checked.length >= 6, `too few hovers: ${checked.length}`);
    assert.match(all, /\*\*Shop\\\.Evil\*\*/);
    assert.match(all, /img src=x onerror=alert\\\(1\\\)/);
    assert.match(all, /\[line \d+\]\(file:/);
    assert.match(all, /\[line 4\]\(file:[^)\s]*\/lib\/shop_web\/x%29%5Bpwn%5D%28command:workbench\.action\.terminal\.new%29%28\.ex#L4\)/, 'the caller in the file with brackets in its name is linked');
  });

  test('the checker itself flags raw HTML, command links and links out of the workspace', () => {
    assert.deepEqual(markdownProblems(`\\${IMG} \`${IMG}\` \`\`a\`b ${COMMAND}\`\` [line 1](${uriOf(path.join(dir, 'lib/shop/evil.ex'))}#L1)`, dir), []);
    assert.equal(markdownProblems(IMG, dir).length, 1);
    assert.equal(markdownProblems(COMMAND, dir).length, 1);
    assert.equal(markdownProblems(`[line 1](file://${dir}/lib/shop_web/x)[pwn](command:workbench.action.terminal.new)(.ex#L1)`, dir).length, 2);
    assert.equal(markdownProblems('[a](file:///etc/passwd)', dir).length, 1);
    assert.equal(markdownProblems('\\\\<img src=x>', dir).length, 1, 'an escaped backslash does not escape the <');
  });

  test('diagnostics are plain text that quotes the code as written, with links to the bundled docs and the workspace only', async () => {
    const all: Diagnostic[] = [];
    for (const name of Object.keys(files)) {
      const uri = uriOf(path.join(dir, name));
      all.push(...await client.open(uri, files[name]));
      client.close(uri);
    }
    assert.ok(all.length >= 4, JSON.stringify(all.map((d) => d.code)));
    for (const d of all) {
      assert.equal(typeof d.message, 'string');
      // Plain text: nothing escaped for markdown (a backslash would show), nothing rendered.
      assert.doesNotMatch(d.message, /\\[<>[\]()`*_]/, d.message);
      const href = d.codeDescription?.href;
      if (href) {
        assert.ok(isInside(path.join(ROOT, 'docs', 'rules'), fileURLToPath(href)) && fs.existsSync(fileURLToPath(href)), href);
      }
      for (const info of d.relatedInformation ?? []) {
        assert.ok(isInside(dir, fileURLToPath(info.location.uri)), info.location.uri);
        assert.doesNotMatch(info.message, /\\[<>[\]()`*_]/, info.message);
      }
    }
    assert.ok(all.some((d) => d.message.includes(IMG) || (d.relatedInformation ?? []).some((r) => r.message.includes(IMG))), 'the code is quoted as written');
  });
});

describe('.chokepoint.json is data and stays inside its folder', () => {
  let base: string;
  let ws: string;
  let outside: string;
  const SERVER = (name: string) => `defmodule ${name} do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def handle_call(:all, _from, state), do: {:reply, Shop.Repo.all(Shop.User), state}
end
`;
  // Every pattern that is absolute or climbs out of the folder is refused; `ignored/**` is a fine one.
  const refused = () => ['../**', '../outside/**', '..', 'lib/../../outside/**', '**/../../**', '/etc/**', `${outside}/**`, '~/outside/**', 'C:/outside/**', 'C:\\outside\\**',
    '\\\\server\\share\\**', 'lib\\..\\..\\outside\\**', 42];

  before(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-config-'));
    ws = path.join(base, 'ws');
    outside = path.join(base, 'outside');
    writeTree(ws, {
      'lib/shop/repo.ex': 'defmodule Shop.Repo do\n  use Ecto.Repo, otp_app: :shop, adapter: Ecto.Adapters.Postgres\nend\n',
      'lib/shop/store.ex': SERVER('Shop.Store'),
      'ignored/skipped.ex': SERVER('Shop.Skipped'),
      // Never to be run: it would leave a marker file.
      'evil.js': `require('fs').writeFileSync(${JSON.stringify(path.join(base, 'EXECUTED'))}, 'yes');\n`,
    });
    writeTree(outside, { 'lib/other_store.ex': SERVER('Shop.OtherStore') });
    fs.writeFileSync(path.join(ws, '.chokepoint.json'), JSON.stringify({
      $schema: 'https://example.invalid/chokepoint.schema.json',
      require: './evil.js',
      plugins: ['./evil.js'],
      exclude: [...refused(), 'ignored/**'],
    }, null, 2));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  test('the language server refuses each escaping pattern with a diagnostic, and they exclude nothing', async () => {
    const configUri = uriOf(path.join(ws, '.chokepoint.json'));
    const client = await LspClient.start(ws);
    try {
      const configDiagnostics = client.nextDiagnostics(configUri);
      await client.whenIndexed();
      const problems = await configDiagnostics;
      const text = fs.readFileSync(path.join(ws, '.chokepoint.json'), 'utf8');
      for (const pattern of refused()) {
        const problem = problems.find((d) => d.message.startsWith(`The exclude pattern ${JSON.stringify(pattern)} `));
        assert.ok(problem, `no problem reported for ${JSON.stringify(pattern)}: ${problems.map((d) => d.message).join(' / ')}`);
        assert.match(problem.message, /it is ignored\.$/);
        assert.equal(problem.severity, 1);
        assert.ok(problem.range.start.line < text.split('\n').length);
      }
      assert.ok(problems.some((d) => /Unknown key "require"/.test(d.message)));
      assert.ok(problems.some((d) => /Unknown key "plugins"/.test(d.message)));
      assert.equal(problems.length, refused().length + 2, problems.map((d) => d.message).join('\n'));
      // Not excluded: the file in the folder, and the one beside it that `../outside/**` etc. name.
      const store = await client.open(uriOf(path.join(ws, 'lib/shop/store.ex')), SERVER('Shop.Store'));
      assert.ok(store.some((d) => d.code === 'repo-in-server'), JSON.stringify(store));
      const other = await client.open(uriOf(path.join(outside, 'lib/other_store.ex')), SERVER('Shop.OtherStore'));
      assert.ok(other.some((d) => d.code === 'repo-in-server'), JSON.stringify(other));
      // The valid pattern does exclude.
      assert.deepEqual(await client.open(uriOf(path.join(ws, 'ignored/skipped.ex')), SERVER('Shop.Skipped')), []);
    } finally {
      await client.stop();
    }
    assert.equal(fs.existsSync(path.join(base, 'EXECUTED')), false, 'workspace code was run');
  });

  test('the CLI reports the same problems and excludes nothing outside the folder', () => {
    const cli = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args, '--format', 'json'], { cwd: base, encoding: 'utf8' });
    const inWs = cli([ws]);
    assert.equal(inWs.status, 1, inWs.stderr);
    for (const pattern of refused()) assert.ok(inWs.stderr.includes(`The exclude pattern ${JSON.stringify(pattern)} `), `${JSON.stringify(pattern)} not reported:\n${inWs.stderr}`);
    const files = (result: { stdout: string }) => [...new Set((JSON.parse(result.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file))].sort();
    assert.deepEqual(files(inWs), [path.join('ws', 'lib', 'shop', 'store.ex')]);
    const both = cli([ws, outside]);
    assert.deepEqual(files(both), [path.join('outside', 'lib', 'other_store.ex'), path.join('ws', 'lib', 'shop', 'store.ex')]);
    const withConfig = cli([outside, '--config', path.join(ws, '.chokepoint.json')]);
    assert.deepEqual(files(withConfig), [path.join('outside', 'lib', 'other_store.ex')]);
    assert.equal(fs.existsSync(path.join(base, 'EXECUTED')), false, 'workspace code was run');
  });
});

describe('no workspace code, no processes, no network', () => {
  /** A preload that records and refuses every way to start a process or open a connection. */
  const PRELOAD = `
const fs = require('fs');
const LOG = process.env.CHOKEPOINT_TRAP_LOG;
fs.writeFileSync(LOG + '.loaded', String(process.pid));
function trap(name) {
  return function trapped(...args) {
    const what = args.map((a) => (typeof a === 'string' ? a : typeof a)).join(' ');
    fs.appendFileSync(LOG, name + ' ' + what + '\\n' + new Error().stack.split('\\n').slice(2, 8).join('\\n') + '\\n');
    throw new Error('forbidden by the chokepoint security test: ' + name);
  };
}
const cp = require('child_process');
for (const k of ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync']) cp[k] = trap('child_process.' + k);
const net = require('net');
net.connect = trap('net.connect');
net.createConnection = trap('net.createConnection');
require('tls').connect = trap('tls.connect');
for (const m of ['http', 'https']) {
  const mod = require(m);
  mod.request = trap(m + '.request');
  mod.get = trap(m + '.get');
}
require('dgram').createSocket = trap('dgram.createSocket');
require('dns').lookup = trap('dns.lookup');
require('worker_threads').Worker = function Worker() { trap('worker_threads.Worker')(...arguments); };
globalThis.fetch = trap('fetch');
// Workspace code: anything the server would load from the workspace.
const Module = require('module');
const load = Module._load;
const workspace = process.env.CHOKEPOINT_TRAP_WORKSPACE;
Module._load = function (request, parent, isMain) {
  let file = request;
  try { file = Module._resolveFilename(request, parent, isMain); } catch {}
  if (workspace && typeof file === 'string' && file.startsWith(workspace)) trap('require')(file);
  return load.apply(this, arguments);
};
`;
  let dir: string;
  let preload: string;
  let log: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-trap-'));
    preload = path.join(dir, 'preload.cjs');
    log = path.join(dir, 'trap.log');
    fs.writeFileSync(preload, PRELOAD);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const trapEnv = () => ({
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require=${preload}`.trim(),
    CHOKEPOINT_TRAP_LOG: log,
    CHOKEPOINT_TRAP_WORKSPACE: WORKSPACE,
  });
  const trapped = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');

  test('the trap records and refuses (checked first, so that the tests below cannot pass by accident)', () => {
    const result = spawnSync(process.execPath, ['-e', "try { require('child_process').execSync('true') } catch {} try { fetch('http://example.invalid') } catch {}"], { encoding: 'utf8', env: { ...process.env, ...trapEnv() } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(trapped(), /child_process\.execSync true/);
    assert.match(trapped(), /fetch http:\/\/example\.invalid/);
    fs.rmSync(log);
  });

  test('a whole language server session over the fixture workspace', async () => {
    // LspClient spawns the server with this process's environment: set the preload just for that.
    const saved = { ...process.env };
    Object.assign(process.env, trapEnv());
    let client: LspClient;
    try {
      client = await LspClient.start(WORKSPACE);
    } finally {
      for (const key of Object.keys(trapEnv())) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    let exitCode: number | null = null;
    let fixes = 0;
    let hovers = 0;
    try {
      await client.whenIndexed();
      assert.equal(fs.readFileSync(`${log}.loaded`, 'utf8'), String(client.process.pid), 'the preload is in the server');
      const files = workspaceFiles();
      assert.ok(files.some((f) => f.endsWith('.ts')) && files.some((f) => f.endsWith('.ex')));
      for (const file of files) {
        const uri = uriOf(file);
        const text = fs.readFileSync(file, 'utf8');
        const diagnostics = await client.open(uri, text);
        for (const d of diagnostics) {
          if (await client.hover(uri, d.range.start)) hovers++;
          const actions = await client.codeActions(uri, [d]);
          fixes += actions.filter((a) => !a.title.startsWith('Disable ')).length;
        }
        // An edit, as typing does.
        await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }]);
      }
      assert.ok(hovers >= 10 && fixes >= 10, `hovers ${hovers}, fixes ${fixes}`);
      // Files changed on disk, a config file appearing: the server re-reads and re-indexes.
      const reindexed = new Promise<void>((resolve) => client.connection.onNotification('$/progress', (p: { value: { kind: string } }) => p.value.kind === 'end' && resolve()));
      client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [
          { uri: uriOf(path.join(WORKSPACE, 'lib/shop/user_store.ex')), type: 2 },
          { uri: uriOf(path.join(WORKSPACE, 'node/src/orders.ts')), type: 2 },
          { uri: uriOf(path.join(WORKSPACE, 'lib/shop/gone.ex')), type: 3 },
          { uri: uriOf(path.join(WORKSPACE, '.chokepoint.json')), type: 1 },
        ],
      });
      await reindexed;
      client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { chokepoint: { rules: { 'repo-in-server': 'error' } } } });
      await client.hover(uriOf(files[0]), { line: 0, character: 0 });
      for (const file of files) client.close(uriOf(file));
    } finally {
      exitCode = await client.stop();
    }
    assert.equal(exitCode, 0);
    assert.equal(trapped(), '');
    assert.equal(client.stderr, '');
  });

  test('the CLI over the fixture workspace', () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), WORKSPACE, '--format', 'sarif'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...trapEnv() } });
    assert.equal(result.status, 1, result.stderr);
    assert.ok(fs.existsSync(`${log}.loaded`));
    assert.equal(trapped(), '');
  });
});
