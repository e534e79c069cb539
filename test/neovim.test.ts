// The server in another editor: Neovim's built-in LSP client (headless) starts dist/server.js --stdio.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectations, ROOT, WORKSPACE } from './helpers';

test('Neovim shows the diagnostics, hover, code actions and code lens', () => {
  const file = path.join(WORKSPACE, 'lib/shop/user_store.ex');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const useLine = lines.findIndex((l) => /use GenServer/.test(l));
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-nvim-')), 'result.json');
  const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(ROOT, 'test/nvim/check.lua')}`], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      CHOKEPOINT_SERVER: path.join(ROOT, 'dist/server.js'),
      CHOKEPOINT_FILE: file,
      CHOKEPOINT_ROOT: WORKSPACE,
      CHOKEPOINT_OUT: out,
      CHOKEPOINT_HOVER_LINE: String(useLine),
      CHOKEPOINT_HOVER_COL: String(lines[useLine].indexOf('GenServer') + 1),
    },
  });
  if (run.error) throw new Error(`cannot run nvim (install Debian's neovim package): ${run.error.message}`);
  const result = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(result.error, undefined, result.error);
  const got = result.diagnostics.map((d: { line: number; code: string }) => `${d.line}:${d.code}`).sort();
  assert.deepEqual(got, expectations(lines.join('\n')));
  assert.deepEqual([...new Set(result.diagnostics.map((d: { source: string }) => d.source))], ['chokepoint']);
  assert.match(result.hover, /Process checklist: 0\/4/);
  assert.match(result.hover, /Adopting Elixir/);
  assert.ok(result.actions.some((t: string) => /^Disable [\w-]+ for this line$/.test(t)), result.actions.join(', '));
  // Neovim has no "Run checklist" command: only the summary lens, above defmodule.
  assert.deepEqual(result.lenses, [{ line: 0, title: 'singleton · 3 callers (3 on request paths) · checklist 0/4 · run it in the caller' }]);
});
