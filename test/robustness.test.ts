// Mangled Elixir (random edits with a fixed seed) never makes the front end or a rule throw, and every
// finding's range lies inside its document.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { WorkspaceIndex } from '../server/src/workspace/index';
import { analyzeFile } from '../server/src/analysis';
import { buildElixirModel } from '../server/src/elixir/frontend';
import { getParser, workspaceFiles } from './helpers';
import { ElixirParser } from '../server/src/elixir/parser';
import { BudgetExceeded } from '../server/src/budget';
import { SourceDocument } from '../server/src/lsp/documents';
import { RULES } from '../server/src/rules';
import { modelFromText } from '../server/src/project';
import { pathToFileURL } from 'node:url';

const PIECES = ['do', 'end', 'fn', '->', '(', ')', '{', '}', '[', ']', '"', '"""', '#', '\n', '|>', '&', '/1', '@', 'GenServer.call(self(), :x)',
  'Repo.all(x)', 'def ', 'defmodule X do', '%{', '\u{1F600}', '\r\n', '\r', ':', ',', '%', 'receive do', 'after 0 ->', '~r/', '?a', '\\', '\u0000', '\uFFFD'];

const USER_STORE = workspaceFiles().find((f) => f.endsWith('lib/shop/user_store.ex'))!;

/** The fixture's UserStore model, and a project that holds it. */
async function userStore() {
  const model = modelFromText(await getParser(), pathToFileURL(USER_STORE).href, fs.readFileSync(USER_STORE, 'utf8'));
  const index = new WorkspaceIndex();
  index.update(model);
  return { model, project: index.context() };
}

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

test('parsing past its time budget stops, leaves the parser ready and the edited old tree usable', async () => {
  const parser = await ElixirParser.create();
  const server = fs.readFileSync(USER_STORE, 'utf8');
  const big = `${'# padding\n'.repeat(100_000)}${server}`;
  assert.throws(() => parser.parse(big, undefined, 0), (e: unknown) => e instanceof BudgetExceeded && e.stage === 'parsing');
  // The parser starts afresh on the next text: no state of the cancelled parse leaks into it.
  const small = parser.parse(server);
  assert.equal(small.rootNode.hasError, false);
  small.delete();
  // An open document: a budget miss keeps its (edited) tree; the next version parses incrementally and
  // equals a fresh build.
  const doc = new SourceDocument('file:///budget/doc.ex', 1, big);
  doc.getModel(parser, 60_000);
  doc.applyChanges([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '#' }], 2);
  let first: unknown;
  assert.throws(() => doc.getModel(parser, 0), (e: unknown) => (first = e) instanceof BudgetExceeded);
  // The same version with the same budget is not tried again: the same answer comes back at once.
  assert.throws(() => doc.getModel(parser, 0), (e: unknown) => e === first);
  doc.applyChanges([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, text: '' }], 3);
  const fresh = new SourceDocument('file:///budget/doc.ex', 1, big);
  assert.deepEqual(JSON.parse(JSON.stringify(doc.getModel(parser, 60_000))), JSON.parse(JSON.stringify(fresh.getModel(parser, 60_000))));
  doc.dispose();
  fresh.dispose();
});

test('rules past the analysis budget are not run, and the caller is told which', async () => {
  const { model, project } = await userStore();
  // A rule that takes 5 ms, then every real rule, with a 2 ms budget: only the slow one runs.
  const slow = { ...RULES[0], meta: { ...RULES[0].meta, id: 'slow-rule' }, check() { const end = performance.now() + 5; while (performance.now() < end); } };
  let told: string[] = [];
  const findings = analyzeFile(model, project, { budget: { until: performance.now() + 2, ms: 2 }, onOutOfTime: (skipped) => (told = skipped) }, [slow, ...RULES]);
  const elixirRules = RULES.filter((r) => r.meta.language === 'elixir').map((r) => r.meta.id);
  assert.deepEqual(told, elixirRules);
  assert.deepEqual(findings, []);
  // With time to spare, the same rules find what the fixture expects.
  assert.ok(analyzeFile(model, project, { budget: { until: performance.now() + 60_000, ms: 60_000 }, onOutOfTime: () => assert.fail('out of time') }).length > 0);
});

test('a rule that throws is logged once, whatever the number of runs, and the other rules still report', async () => {
  const { model, project } = await userStore();
  const broken = { ...RULES[0], meta: { ...RULES[0].meta, id: 'broken-rule' }, check(): void { throw new TypeError('cannot read x of undefined'); } };
  const log: string[] = [];
  const expected = analyzeFile(model, project, {});
  for (let run = 0; run < 3; run++) {
    const findings = analyzeFile(model, project, { log: (m) => log.push(m) }, [broken, ...RULES]);
    assert.deepEqual(findings, expected, 'the other rules report as if the broken one were not there');
  }
  assert.equal(log.length, 1, log.join('\n'));
  assert.match(log[0], /^rule broken-rule failed on file:\/\/.*user_store\.ex: TypeError: cannot read x of undefined/);
  assert.ok(expected.length > 0);
});
