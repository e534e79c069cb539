// Open documents are edited and re-parsed incrementally; after any sequence of edits the model must be
// the one a fresh parse of the same text gives.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { buildElixirModel } from '../server/src/elixir/frontend';
import { SourceDocument } from '../server/src/lsp/documents';
import { LineIndex } from '../server/src/positions';
import { getParser, workspaceFiles } from './helpers';

test('incremental edits (CRLF, emoji, multi-line) give the model of a fresh parse', async () => {
  const parser = await getParser();
  const pieces = ['x', '\n', '\r\n', '😀', 'é', 'Repo.all(q)\n', ' do\n', 'end\n', '"', '# c\n', '', '# chokepoint-disable-next-line repo-in-server\n', '"""\nheredoc\n"""\n'];
  let seed = 99;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  // Single files, and all of them in one document: edits shift the modules below them (reused from the cache).
  const texts = workspaceFiles().slice(0, 12).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
  texts.push({ file: 'all fixtures in one document', text: workspaceFiles().map((f) => fs.readFileSync(f, 'utf8')).join('\n') });
  for (const { file, text } of texts) {
    const doc = new SourceDocument('file:///doc.ex', 1, text);
    doc.getModel(parser);
    for (let version = 2; version < 40; version++) {
      const lines = new LineIndex(doc.text);
      const start = random(doc.text.length + 1);
      const end = Math.min(doc.text.length, start + random(8));
      // LSP ranges as a client sends them (UTF-16 positions); a few edits in one notification
      const changes = [{ range: lines.range(start, end), text: pieces[random(pieces.length)] }];
      if (version % 5 === 0) changes.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: pieces[random(pieces.length)] });
      doc.applyChanges(changes, version);
      if (version % 3 === 0) doc.getModel(parser); // parse sometimes, so edits pile up on an older tree too
    }
    const incremental = doc.getModel(parser);
    const tree = parser.parse(doc.text);
    const fresh = buildElixirModel('file:///doc.ex', doc.text, tree);
    tree.delete();
    assert.deepEqual(incremental, fresh, file);
    doc.dispose();
  }
});

test('a position past the end of its line is the end of the line, before \\r\\n or \\n', () => {
  const lines = new LineIndex('ab\r\ncd\nef');
  assert.equal(lines.offset({ line: 0, character: 99 }), 2);
  assert.equal(lines.offset({ line: 1, character: 5 }), 6);
  assert.equal(lines.offset({ line: 2, character: 7 }), 9);
  assert.equal(lines.offset({ line: 9, character: 0 }), 9);
});
