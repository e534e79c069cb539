// Mangled Elixir (random edits with a fixed seed) never makes the front end or a rule throw, and every
// finding's range lies inside its document.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { WorkspaceIndex } from '../server/src/workspace/index';
import { analyzeFile } from '../server/src/analysis';
import { buildElixirModel } from '../server/src/elixir/frontend';
import { getParser, workspaceFiles } from './helpers';

const PIECES = ['do', 'end', 'fn', '->', '(', ')', '{', '}', '[', ']', '"', '"""', '#', '\n', '|>', '&', '/1', '@', 'GenServer.call(self(), :x)',
  'Repo.all(x)', 'def ', 'defmodule X do', '%{', '\u{1F600}', '\r\n', '\r', ':', ',', '%', 'receive do', 'after 0 ->', '~r/', '?a', '\\', '\u0000', '\uFFFD'];

test('600 randomly mangled fixture files: no exception, every range inside the text', async () => {
  const parser = await getParser();
  const texts = workspaceFiles().map((f) => fs.readFileSync(f, 'utf8'));
  let seed = 20261125;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const failures: string[] = [];
  for (let i = 0; i < 600; i++) {
    let text = texts[random(texts.length)];
    for (let k = 0, edits = 1 + random(8); k < edits; k++) {
      const at = random(text.length + 1);
      text = text.slice(0, at) + PIECES[random(PIECES.length)] + text.slice(at + (random(3) === 0 ? random(10) : 0));
    }
    const tree = parser.parse(text);
    try {
      const model = buildElixirModel('file:///fuzz.ex', text, tree);
      const index = new WorkspaceIndex();
      index.update(model);
      const findings = analyzeFile(model, index.context(), { log: (m) => failures.push(m) });
      const lines = text.split(/\r\n|\r|\n/);
      for (const { range } of findings) {
        const ok = range.end.line < lines.length && range.end.character <= lines[range.end.line].length
          && (range.start.line < range.end.line || range.start.character <= range.end.character);
        if (!ok) failures.push(`range ${JSON.stringify(range)} outside the text of iteration ${i}`);
      }
    } catch (error) {
      failures.push(`iteration ${i}: ${(error as Error).stack}`);
    } finally {
      tree.delete();
    }
  }
  assert.deepEqual(failures.slice(0, 5), []);
});
