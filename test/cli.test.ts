// The CLI as CI runs it: node dist/cli.js, exit codes, the three formats, SARIF against the official schema.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { expectations, ROOT, WORKSPACE, workspaceFiles } from './helpers';
import { RULES } from '../server/src/rules';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const run = (args: string[], cwd = ROOT) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });

function tempDir(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-cli-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const BAD_SERVER = `defmodule Shop.S do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s}
end
`;

describe('chokepoint CLI', () => {
  test('text output matches the fixtures\' # expect: comments and exits 1', () => {
    const result = run(['test-workspace']);
    assert.equal(result.status, 1, result.stderr);
    const got: string[] = [];
    for (const line of result.stdout.trim().split('\n')) {
      const match = /^(.+?):(\d+):(\d+): (error|warning|info) \[([\w-]+)\] (.+)$/.exec(line);
      assert.ok(match, `not a compiler-style line: ${line}`);
      got.push(`${match[1]}|${Number(match[2]) - 1}:${match[5]}`);
    }
    const want = workspaceFiles().flatMap((f) => expectations(fs.readFileSync(f, 'utf8')).map((e) => `${path.relative(ROOT, f)}|${e}`));
    assert.deepEqual(got.sort(), want.sort());
    assert.match(result.stderr, /\d+ findings in \d+ files \(\d+ scanned\)/);
  });

  test('exit 0 and no output on a clean folder', () => {
    const result = run([path.join(WORKSPACE, 'lib', 'shop', 'accounts.ex'), path.join(WORKSPACE, 'lib', 'shop', 'product_cache.ex')]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, '');
  });

  test('exit 2 with one line for usage and I/O errors', () => {
    for (const args of [['--format', 'xml'], ['--bogus'], ['does/not/exist'], ['--output']]) {
      const result = run(args);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr.split('\n')[0], /^chokepoint: /);
    }
    const unwritable = run(['test-workspace', '--output', '/nonexistent-dir/report.txt']);
    assert.equal(unwritable.status, 2);
    assert.match(unwritable.stderr, /cannot write/);
  });

  test('.chokepoint.json sets severities and excludes files; --config names another; a broken one warns and uses the defaults', () => {
    const controller = `defmodule ShopWeb.SController do
  use ShopWeb, :controller
  def index(conn, _), do: json(conn, Shop.S.all())
end
`;
    const server = BAD_SERVER.replace('  def handle_call', '  def all, do: GenServer.call(__MODULE__, :x)\n  def handle_call');
    const dir = tempDir({
      'lib/s.ex': server,
      'lib/s_controller.ex': controller,
      'lib/legacy/old.ex': BAD_SERVER.replace('Shop.S', 'Shop.Old'),
      '.chokepoint.json': JSON.stringify({ rules: { 'hot-path-call': 'error', 'stateless-server': 'off' }, exclude: ['lib/legacy/**'] }),
      'other.json': JSON.stringify({ rules: { 'hot-path-call': 'off', 'stateless-server': 'off' } }),
    });
    try {
      // The file is found from the scanned folder (and from a folder below it), whatever the current folder is.
      for (const target of [dir, path.join(dir, 'lib')]) {
        const result = run([target, '--format', 'json']);
        assert.equal(result.status, 1, result.stderr);
        const findings = JSON.parse(result.stdout).findings as { file: string; rule: string; severity: string }[];
        assert.ok(!findings.some((f) => f.file.includes('legacy')), 'excluded');
        assert.ok(!findings.some((f) => f.rule === 'stateless-server'), 'off');
        assert.deepEqual(findings.filter((f) => f.rule === 'hot-path-call').map((f) => f.severity), ['error']);
        assert.ok(findings.some((f) => f.rule === 'repo-in-server' && f.severity === 'warning'), 'the default severity');
      }
      const other = run([dir, '--config', path.join(dir, 'other.json')]);
      assert.equal(other.status, 1);
      assert.deepEqual([...new Set(other.stdout.trim().split('\n').map((l) => /\[([\w-]+)\]/.exec(l)![1]))], ['repo-in-server']);
      assert.match(other.stdout, /legacy\/old\.ex/, 'other.json excludes nothing');
      assert.equal(run([dir, '--config', path.join(dir, 'missing.json')]).status, 2);

      fs.writeFileSync(path.join(dir, '.chokepoint.json'), '{ "rules": { "hot-path-call": "eror" }, "exclude": ["/etc/**"] }');
      const invalid = run([dir]);
      assert.equal(invalid.status, 1);
      assert.match(invalid.stderr, /\.chokepoint\.json:1:\d+: warning \[config\] "hot-path-call" must be "off", "info", "warning" or "error", not "eror"\./);
      assert.match(invalid.stderr, /The exclude pattern "\/etc\/\*\*" is absolute/);
      fs.writeFileSync(path.join(dir, '.chokepoint.json'), '{ "rules": ');
      const broken = run([dir, '--format', 'json']);
      assert.equal(broken.status, 1, 'the scan still runs');
      assert.match(broken.stderr, /\.chokepoint\.json:1:\d+: warning \[config\] \.chokepoint\.json is not valid JSON/);
      const rules = new Set((JSON.parse(broken.stdout).findings as { rule: string }[]).map((f) => f.rule));
      assert.ok(rules.has('stateless-server') && rules.has('hot-path-call'), 'defaults');
      assert.ok(JSON.parse(broken.stdout).findings.some((f: { file: string }) => f.file.includes('legacy')), 'no exclude');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('TypeScript imports through tsconfig paths and baseUrl reach the lock in another file', () => {
    const dir = tempDir({
      'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }',
      'src/lib/orders.ts': "import { Mutex } from 'async-mutex';\nconst lock = new Mutex();\nexport const place = () => lock.runExclusive(async () => { await Promise.resolve(); return 1; });\n",
      'src/lib/carts.ts': "import { Mutex } from 'async-mutex';\nconst lock = new Mutex();\nexport const add = () => lock.runExclusive(async () => { await Promise.resolve(); return 2; });\n",
      'src/server.ts': "import express from 'express';\nimport { place } from '@/lib/orders';\nimport { add } from 'src/lib/carts';\nconst app = express();\napp.post('/orders', async (_req, res) => { res.json(await place()); });\napp.post('/carts', async (_req, res) => { res.json(await add()); });\n",
    });
    try {
      const result = run([dir, '--format', 'json']);
      const hot = (JSON.parse(result.stdout).findings as { file: string; line: number; rule: string }[]).filter((f) => f.rule === 'hot-path-lock');
      assert.deepEqual(hot.map((f) => `${path.basename(f.file)}:${f.line}`), ['server.ts:5', 'server.ts:6']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a large workspace is parsed by worker threads, with the same findings as in one thread', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 450; i++) {
      files[`lib/part${i}.ex`] = i % 50 === 0
        ? `defmodule App.Part${i} do\n  use GenServer\n  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)\n  def get(id), do: GenServer.call(__MODULE__, {:get, id})\n  def handle_call({:get, id}, _f, s), do: {:reply, App.Repo.get(X, id), s}\nend\n`
        : `defmodule App.Web.C${i} do\n  use AppWeb, :controller\n  def show(conn, %{"id" => id}), do: json(conn, App.Part${i - (i % 50)}.get(id))\nend\n`;
    }
    const dir = tempDir(files);
    try {
      const threads = run([dir, '--format', 'json']);
      const single = spawnSync(process.execPath, [CLI, dir, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CHOKEPOINT_WORKERS: '0' } });
      assert.equal(threads.status, 1, threads.stderr);
      const findings = JSON.parse(threads.stdout).findings;
      assert.ok(findings.length >= 450, String(findings.length));
      assert.deepEqual(findings, JSON.parse(single.stdout).findings);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--help and --version', () => {
    assert.match(run(['--help']).stdout, /usage: chokepoint/);
    assert.match(run(['--version']).stdout, /^\d+\.\d+\.\d+/);
  });

  test('json output', () => {
    const result = run(['test-workspace', '--format', 'json']);
    assert.equal(result.status, 1);
    const report = JSON.parse(result.stdout);
    assert.equal(report.tool, 'chokepoint');
    const first = report.findings[0];
    for (const key of ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'related']) assert.ok(key in first, key);
  });

  test('SARIF validates against the official 2.1.0 schema, with rule metadata and relative URIs', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-sarif-')), 'report.sarif');
    // One run covers both languages: the Elixir app and the Node service.
    const result = run(['test-workspace', '--format', 'sarif', '--output', out]);
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stdout, '');
    const sarif = JSON.parse(fs.readFileSync(out, 'utf8'));
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    // The official schema has a language-tag pattern that only compiles without the `u` flag.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(structuredClone(sarif));
    assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const run0 = sarif.runs[0];
    assert.deepEqual(run0.tool.driver.rules.map((r: { id: string }) => r.id).sort(), RULES.map((r) => r.meta.id).sort());
    assert.deepEqual([...new Set(run0.results.map((r: { ruleId: string }) => r.ruleId))].sort(), RULES.map((r) => r.meta.id).sort(), 'the test workspace exercises every rule');
    for (const rule of run0.tool.driver.rules) {
      assert.ok(rule.shortDescription.text && rule.fullDescription.text);
      assert.match(rule.helpUri, /^file:.*\/docs\/rules\/[\w-]+\.md$/);
    }
    assert.equal(run0.originalUriBaseIds['%SRCROOT%'].uri, `file://${ROOT}/`);
    for (const r of run0.results) {
      const location = r.locations[0].physicalLocation;
      assert.equal(location.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.match(location.artifactLocation.uri, /^test-workspace\/(lib\/.+\.ex|node\/src\/.+\.ts)$/);
      assert.equal(run0.tool.driver.rules[r.ruleIndex].id, r.ruleId);
    }
    const expected = workspaceFiles().reduce((n, f) => n + expectations(fs.readFileSync(f, 'utf8')).length, 0);
    assert.equal(run0.results.length, expected);
  });

  test('honours .gitignore and skips deps/, _build/ and node_modules/', () => {
    const dir = tempDir({
      '.gitignore': 'generated/\n',
      'lib/a.ex': BAD_SERVER,
      'generated/b.ex': BAD_SERVER,
      'deps/c/lib/c.ex': BAD_SERVER,
      '_build/dev/d.ex': BAD_SERVER,
      'node_modules/e/e.ex': BAD_SERVER,
      '.git/HEAD': 'ref: refs/heads/main\n',
    });
    const result = run(['.', '--format', 'json'], dir);
    assert.equal(result.status, 1);
    const files = new Set(JSON.parse(result.stdout).findings.map((f: { file: string }) => f.file));
    assert.deepEqual([...files], ['lib/a.ex']);
  });

  test('invalid UTF-8, a BOM and CRLF in files on disk', () => {
    const crlf = Buffer.from(`\uFEFF${BAD_SERVER.replace('use GenServer', 'use GenServer # caf\u00e9').replace(/\n/g, '\r\n')}`, 'utf8');
    const invalid = Buffer.concat([Buffer.from('# \xff\xfe broken bytes\n', 'latin1'), Buffer.from(BAD_SERVER)]);
    const dir = tempDir({ 'crlf.ex': crlf, 'invalid.ex': invalid, 'junk.ex': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256)) });
    const result = run(['.', '--format', 'json'], dir);
    assert.equal(result.status, 1, result.stderr);
    const findings = JSON.parse(result.stdout).findings.map((f: { file: string; line: number; column: number; rule: string }) => `${f.file}:${f.line}:${f.column}:${f.rule}`);
    assert.deepEqual(findings.sort(), [
      'crlf.ex:2:3:repo-in-server', 'crlf.ex:2:3:stateless-server', 'crlf.ex:4:44:repo-in-server',
      'invalid.ex:3:3:repo-in-server', 'invalid.ex:3:3:stateless-server', 'invalid.ex:5:44:repo-in-server',
    ]);
  });
});
