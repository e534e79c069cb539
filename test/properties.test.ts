// Property-based tests (fast-check, fixed seeds) of the server as an editor drives it: random edit
// sequences on the fixture files, random bytes opened as Elixir and TypeScript, and the fixes offered on
// random-but-valid edits, all through dist/server.js --stdio.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { ts } from 'ts-morph';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { applyEdits, editsByUri, LspClient } from './lsp-client';
import { elixirRejects, expectations, getParser, WORKSPACE, workspaceFiles } from './helpers';

const SEED = 20260214;
const ELIXIR = workspaceFiles().filter((f) => f.endsWith('.ex'));
const TYPESCRIPT = workspaceFiles().filter((f) => f.startsWith(path.join(WORKSPACE, 'node', 'src')) && f.endsWith('.ts'));
const FIXTURES = [...ELIXIR, ...TYPESCRIPT];
const read = (file: string) => fs.readFileSync(file, 'utf8');
const rel = (file: string) => path.relative(WORKSPACE, file).split(path.sep).join('/');
const isTypeScript = (uri: string) => /\.[cm]?[jt]sx?$/.test(uri);

// ---------------------------------------------------------------------------------------------------
// Text and positions as LSP sees them (UTF-16 columns; \r\n, \r and \n end lines), written independently
// of the server's LineIndex.

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') { starts.push(i + 2); i++; } else if (text[i] === '\n' || text[i] === '\r') starts.push(i + 1);
  }
  return starts;
}

function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function positionOf(text: string, offset: number, starts = lineStarts(text)): { line: number; character: number } {
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
  return { line, character: offset - starts[line] };
}

/** The nearest offset at or before `offset` that an editor can put a cursor on (not inside \r\n or a surrogate pair). */
function snap(text: string, offset: number): number {
  let at = Math.max(0, Math.min(offset, text.length));
  while (at > 0 && at < text.length && ((text[at - 1] === '\r' && text[at] === '\n') || (/[\uD800-\uDBFF]/.test(text[at - 1]) && /[\uDC00-\uDFFF]/.test(text[at])))) at--;
  return at;
}

/** Every range (and related range into the same document) starts and ends on a line that exists, within it. */
function rangeProblems(uri: string, text: string, diagnostics: Diagnostic[]): string[] {
  const ls = lines(text);
  const inside = (p: { line: number; character: number }) => p.line >= 0 && p.line < ls.length && p.character >= 0 && p.character <= ls[p.line].length;
  const problems: string[] = [];
  for (const d of diagnostics) {
    const ranges = [d.range, ...(d.relatedInformation ?? []).filter((r) => r.location.uri === uri).map((r) => r.location.range)];
    for (const r of ranges) {
      const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
      if (!inside(r.start) || !inside(r.end) || !ordered) problems.push(`${d.code}: ${JSON.stringify(r)} outside a text of ${ls.length} lines`);
    }
  }
  return problems;
}

const shape = (diagnostics: Diagnostic[]) => diagnostics.map((d) => ({ range: d.range, code: d.code, message: d.message }));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))])
    .finally(() => clearTimeout(timer));
}

/** The server is up and answers a request. */
async function assertAlive(client: LspClient, uri: string): Promise<void> {
  assert.equal(client.exited, false, `the server exited; stderr: ${client.stderr}`);
  await withTimeout(client.hover(uri, { line: 0, character: 0 }), 10_000, 'hover');
}

/** Errors the server logged (a handler or an analysis threw) or printed (uncaught). */
function serverErrors(client: LspClient): string[] {
  return [...client.log.filter((m) => /^\[chokepoint\] (analysing|hover|codeAction|didOpen|didChange|didClose|indexing)\b.*:/.test(m)), ...(client.stderr ? [client.stderr] : [])];
}

// ---------------------------------------------------------------------------------------------------
// Random-but-valid edits: comments, blank lines, new functions and modules, line endings.

const CONTENT = ['a', 'Z', ' ', 'é', '😀', '日本', 'e\u0301', '`', '```', '"', "'", '<img src=x onerror=alert(1)>', '[x](command:workbench.action.terminal.new)', 'do', 'end',
  '(', ')', '{', '}', '#', '\\', '*', '_', '|', '\t'];
const content = fc.string({ unit: fc.constantFrom(...CONTENT), maxLength: 8 });

interface ValidEdit { kind: 'comment' | 'blank' | 'function' | 'module' | 'delete-comment' | 'line-endings'; at: number; text: string }

const validEdit: fc.Arbitrary<ValidEdit> = fc.record({
  kind: fc.constantFrom('comment' as const, 'blank' as const, 'function' as const, 'module' as const, 'delete-comment' as const, 'line-endings' as const),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  text: content,
});

const elixirString = (s: string) => `"${s.replace(/[\\"#]/g, (c) => `\\${c}`)}"`;

/** A valid edit as [start offset, end offset, new text] on `text`, or undefined when it does not apply here. */
function validChange(text: string, edit: ValidEdit, typescript: boolean, n: number): [number, number, string] | undefined {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const starts = lineStarts(text);
  const ls = lines(text);
  const pick = <T>(items: T[]) => items[Math.min(items.length - 1, Math.floor(edit.at * items.length))];
  const flat = edit.text.replace(/[\r\n]/g, ' ');
  switch (edit.kind) {
    case 'comment': {
      const line = pick(ls.map((_, i) => i));
      const indent = /^\s*/.exec(ls[line])![0];
      const comment = typescript ? (edit.at < 0.5 ? `// ${flat}` : `/* ${flat.replace(/\*\//g, '* /')} */`) : `# ${flat}`;
      return [starts[line], starts[line], `${indent}${comment}${eol}`];
    }
    case 'blank': {
      const line = pick(ls.map((_, i) => i));
      return [starts[line], starts[line], eol];
    }
    case 'function': {
      const heads = ls.map((l, i) => i).filter((i) => (typescript ? /^export (async )?function /.test(ls[i]) : /^\s*defmodule\s.*\sdo\s*$/.test(ls[i])) && i + 1 < starts.length);
      if (heads.length === 0) return undefined;
      const line = pick(heads);
      if (typescript) return [starts[line], starts[line], `export function chokepointProp${n}(x: string): string {${eol}  return x + ${JSON.stringify(flat)};${eol}}${eol}`];
      return [starts[line + 1], starts[line + 1], `  def chokepoint_prop_${n}(x), do: {x, ${elixirString(flat)}}${eol}`];
    }
    case 'module': {
      const tail = text.endsWith('\n') || text.endsWith('\r') || text.length === 0 ? '' : eol;
      const added = typescript
        ? `${tail}export const chokepointProp${n} = ${JSON.stringify(flat)};${eol}`
        : `${tail}defmodule ChokepointProp${n} do${eol}  @moduledoc ${elixirString(flat)}${eol}  def f(x), do: x${eol}end${eol}`;
      return [text.length, text.length, added];
    }
    case 'delete-comment': {
      const comments = ls.map((l, i) => i).filter((i) => (typescript ? /^\s*\/\/(?!.*expect:)/ : /^\s*#(?!.*expect:)/).test(ls[i]) && i + 1 < starts.length);
      if (comments.length === 0) return undefined;
      const line = pick(comments);
      return [starts[line], starts[line + 1], ''];
    }
    case 'line-endings':
      return [0, text.length, eol === '\r\n' ? text.replace(/\r\n/g, '\n') : text.replace(/\r?\n/g, '\r\n')];
  }
}

function typescriptSyntaxErrors(text: string): string[] {
  const { diagnostics } = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  return (diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

// ---------------------------------------------------------------------------------------------------
// Random edits.

const PIECES = ['do', 'end', ' do\n', '\nend\n', 'fn x -> x end', '(', ')', '"', '"""', "'", '`', '#', '//', '/*', '*/', '${', '#{', '}', '{', '[', ']', '\n', '\r\n', '\r',
  '😀', '👨‍👩‍👧', 'é', 'e\u0301', '日本', '\uFEFF', '\u0000', '\t', 'Repo.all(X)', 'GenServer.call(__MODULE__, :x)', 'await ', 'lock.runExclusive(async () => {', 'defmodule X do', 'def f(x), do: x'];

const fragment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...PIECES), maxLength: 6 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

interface RandomEdit { kind: 'insert' | 'delete' | 'replace'; at: number; length: number; text: string; wait: boolean }

const randomEdit: fc.Arbitrary<RandomEdit> = fc.record({
  kind: fc.constantFrom('insert' as const, 'delete' as const, 'replace' as const),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.integer({ min: 0, max: 60 }),
  text: fragment,
  wait: fc.boolean(),
});

/** The LSP change for an edit on `text`, and the text after it. */
function lspChange(text: string, edit: RandomEdit) {
  const start = snap(text, Math.floor(edit.at * (text.length + 1)));
  const end = edit.kind === 'insert' ? start : snap(text, start + edit.length);
  const inserted = edit.kind === 'delete' ? '' : edit.text;
  const starts = lineStarts(text);
  const change = { range: { start: positionOf(text, start, starts), end: positionOf(text, end, starts) }, text: inserted };
  return { change, next: text.slice(0, start) + inserted + text.slice(end) };
}

// One server for all the properties, indexing the fixture app: the edited copies (outside it) are analysed
// with the whole workspace around them, as the real files are.
let client: LspClient;
before(async () => {
  client = await LspClient.start(WORKSPACE);
  await client.whenIndexed();
});
after(() => client.stop());

describe('random edits through the server', () => {
  test('incremental edits of fixture files: the server keeps answering, ranges stay inside the text, and the end state equals a fresh open', async () => {
    let run = 0;
    const withFindings = FIXTURES.filter((f) => expectations(read(f)).length > 0);
    // Half the steps are structure-keeping edits (comments, functions, modules, line endings), so that
    // findings survive long enough to be compared; the other half are arbitrary.
    const step = fc.oneof(randomEdit, fc.record({ valid: validEdit, wait: fc.boolean() }));
    const edits = fc.oneof(fc.array(step, { minLength: 1, maxLength: 4 }), fc.array(step, { minLength: 1, maxLength: 25 }));
    await fc.assert(fc.asyncProperty(fc.oneof(fc.constantFrom(...withFindings), fc.constantFrom(...FIXTURES)), edits, async (file, edits) => {
      run++;
      const uri = `file:///prop/edited/${run}/${rel(file)}`;
      let text = read(file);
      const opened = await client.open(uri, text);
      assert.deepEqual(rangeProblems(uri, text, opened), []);
      for (let i = 0; i < edits.length; i++) {
        const e = edits[i];
        let change;
        if ('valid' in e) {
          const [start, end, inserted] = validChange(text, e.valid, isTypeScript(uri), i) ?? [0, 0, ''];
          const starts = lineStarts(text);
          change = { range: { start: positionOf(text, start, starts), end: positionOf(text, end, starts) }, text: inserted };
          text = text.slice(0, start) + inserted + text.slice(end);
        } else {
          let next: string;
          ({ change, next } = lspChange(text, e));
          text = next;
        }
        if (e.wait || i === edits.length - 1) {
          const diagnostics = await client.change(uri, [change]);
          assert.deepEqual(rangeProblems(uri, text, diagnostics), [], `after edit ${i + 1}`);
        } else {
          client.changeNoWait(uri, [change]);
        }
      }
      const final = await client.diagnosticsFor(uri, edits.length + 1);
      await assertAlive(client, uri);
      client.close(uri);
      const freshUri = `file:///prop/fresh/${run}/${rel(file)}`;
      const fresh = await client.open(freshUri, text);
      client.close(freshUri);
      assert.deepEqual(shape(final), shape(fresh), 'incremental diagnostics differ from a fresh open of the same text');
      assert.deepEqual(serverErrors(client), []);
    }), { seed: SEED, numRuns: 300 });
  });

  test('random bytes opened as .ex and .ts get diagnostics and never kill the server', async () => {
    let run = 0;
    const utf8 = new TextDecoder('utf-8', { fatal: false });
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
      run++;
      for (const [encoding, text] of [['latin1', Buffer.from(bytes).toString('latin1')], ['utf8', utf8.decode(bytes)]] as const) {
        for (const ext of ['ex', 'ts']) {
          const uri = `file:///prop/bytes/${run}-${encoding}.${ext}`;
          const diagnostics = await client.open(uri, text);
          assert.ok(Array.isArray(diagnostics));
          assert.deepEqual(rangeProblems(uri, text, diagnostics), []);
          client.close(uri);
        }
      }
      assert.equal(client.exited, false);
    }), { seed: SEED, numRuns: 150 });
    await assertAlive(client, 'file:///prop/bytes/none.ex');
    assert.deepEqual(serverErrors(client), []);
  });
});

// Every fix the server offers after random-but-valid edits must produce code that parses.
describe('fixes offered on random-but-valid edits', () => {
  test('every fix produces Elixir that Code.string_to_quoted! accepts and TypeScript without syntax errors', async () => {
    const parser = await getParser();
    const withFindings = FIXTURES.filter((f) => expectations(read(f)).length > 0);
    const elixirInputs: { what: string; text: string }[] = [];
    const elixirOutputs: { what: string; text: string }[] = [];
    const typescriptProblems: string[] = [];
    const titles = new Map<string, number>();
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...withFindings), fc.array(validEdit, { minLength: 1, maxLength: 6 }), async (file, edits) => {
      const uri = pathToFileURL(file).href;
      const typescript = isTypeScript(uri);
      let text = read(file);
      await client.open(uri, text);
      try {
        for (const edit of edits) {
          const change = validChange(text, edit, typescript, ++n);
          if (!change) continue;
          const [start, end, inserted] = change;
          const next = text.slice(0, start) + inserted + text.slice(end);
          // Keep the edit only if it leaves the file valid (the oracle below checks the Elixir again).
          if (typescript ? typescriptSyntaxErrors(next).length > 0 : (() => { const tree = parser.parse(next); try { return tree.rootNode.hasError; } finally { tree.delete(); } })()) continue;
          const starts = lineStarts(text);
          client.changeNoWait(uri, [{ range: { start: positionOf(text, start, starts), end: positionOf(text, end, starts) }, text: inserted }]);
          text = next;
        }
        // An empty change: its version's diagnostics are those of the text after all the edits.
        const diagnostics = await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '' }]);
        const what = `${rel(file)} after ${JSON.stringify(edits)}`;
        if (!typescript) elixirInputs.push({ what, text });
        for (const diagnostic of diagnostics) {
          const actions = await withTimeout(client.codeActions(uri, [diagnostic]), 20_000, 'codeAction');
          for (const action of actions.filter((a) => !a.title.startsWith('Disable ') && a.edit)) {
            const kind = action.title.replace(/[A-Z][\w.]*/g, 'X');
            titles.set(kind, (titles.get(kind) ?? 0) + 1);
            for (const [target, targetEdits] of Object.entries(editsByUri(action.edit!))) {
              const base = target === uri ? text : read(fileURLToPath(target));
              const output = applyEdits(base, targetEdits);
              const label = `"${action.title}" on ${rel(fileURLToPath(target))} (${diagnostic.code}, ${what})`;
              if (isTypeScript(target)) typescriptProblems.push(...typescriptSyntaxErrors(output).map((e) => `${label}: ${e}`));
              else elixirOutputs.push({ what: label, text: output });
            }
          }
        }
      } finally {
        client.close(uri);
      }
    }), { seed: SEED, numRuns: 150 });
    assert.deepEqual(typescriptProblems, []);
    const rejected = elixirRejects([...elixirInputs, ...elixirOutputs].map((t) => t.text));
    const explain = (i: number, error: string) => `${i < elixirInputs.length ? 'INPUT' : 'FIX'} ${[...elixirInputs, ...elixirOutputs][i].what}: ${error}`;
    assert.deepEqual(rejected.filter((r) => r.index < elixirInputs.length).map((r) => explain(r.index, r.error)), [], 'the generator made invalid Elixir');
    assert.deepEqual(rejected.map((r) => explain(r.index, r.error)), []);
    const fixes = [...titles.values()].reduce((a, b) => a + b, 0);
    assert.ok(elixirOutputs.length >= 50 && fixes >= 50, `too few fixes to prove anything: ${JSON.stringify([...titles])}`);
    assert.deepEqual(serverErrors(client), []);
  });
});
