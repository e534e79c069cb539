// The Node quick fixes, proven with the TypeScript compiler: each is applied over LSP to the fixture
// service and the file must type-check before and after (with small declarations standing in for the
// packages, which are not installed), and the finding must be gone.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Project, ts } from 'ts-morph';
import { WORKSPACE } from './helpers';
import { applyEdits, editsByUri, LspClient } from './lsp-client';

const STUBS = `
declare module 'async-mutex' {
  export class Mutex { runExclusive<T>(callback: () => T | Promise<T>): Promise<T>; isLocked(): boolean; acquire(): Promise<() => void>; }
}
declare module 'pg' {
  export class Pool { constructor(options?: { max?: number }); query(sql: string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number }>; }
}
declare module 'ioredis' {
  export default class Redis { get(key: string): Promise<string | null>; set(key: string, value: string): Promise<'OK'>; }
}
declare module 'node:fs/promises' {
  export function appendFile(path: string, data: string): Promise<void>;
}
`;

/** Type errors of one file, compiled strictly against the stubs. */
function typeErrors(name: string, text: string): string[] {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'] } });
  project.createSourceFile('/stubs.d.ts', STUBS);
  // The modules the fixture imports from itself (./db.js).
  project.createSourceFile('/db.ts', fs.readFileSync(path.join(WORKSPACE, 'node', 'src', 'db.ts'), 'utf8'));
  project.createSourceFile(`/${name}`, text);
  return project.getPreEmitDiagnostics().map((d) => `${d.getSourceFile()?.getBaseName()}:${d.getLineNumber()}: ${ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, ' ')}`);
}

const CASES = [
  { file: 'src/counters.ts', rule: 'lock-without-await', title: 'Run it without the lock', after: 'return (async () => { // expect: lock-without-await' },
  { file: 'src/orders.ts', rule: 'pool-behind-lock', title: 'Call the pool without the lock', after: 'return (async () => {\n    const { rows } = await pool.query(' },
  { file: 'src/sessions.ts', rule: 'global-lock-keyed-state', title: 'Use one lock per key', after: '  await withSessionsLock(sessionId, async () => {\n    const session = sessions.get(sessionId)' },
  { file: 'src/audit-log.ts', rule: 'unbounded-serializer', title: 'Keep the chain going after a failure (.catch before .then)', after: 'this.tail = this.tail.catch(() => undefined).then(() => appendFile(' },
];

for (const c of CASES) {
  test(`${c.rule}: "${c.title}" type-checks and removes the finding`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-tsfix-'));
    fs.cpSync(path.join(WORKSPACE, 'node'), dir, { recursive: true });
    const client = await LspClient.start(dir);
    try {
      await client.whenIndexed();
      const file = path.join(dir, c.file);
      const uri = pathToFileURL(file).href;
      const before = fs.readFileSync(file, 'utf8');
      assert.deepEqual(typeErrors(path.basename(file), before), [], 'the fixture type-checks before the fix');
      const diagnostics = await client.open(uri, before);
      const diagnostic = diagnostics.find((d) => d.code === c.rule);
      assert.ok(diagnostic, JSON.stringify(diagnostics.map((d) => d.code)));
      const action = (await client.codeActions(uri, [diagnostic])).find((a) => a.title === c.title);
      assert.ok(action?.edit, 'the fix is offered');
      const after = applyEdits(before, editsByUri(action.edit)[uri]);
      assert.ok(after.includes(c.after), after);
      assert.deepEqual(typeErrors(path.basename(file), after), []);
      const remaining = await client.change(uri, [{ text: after }]);
      assert.ok(!remaining.some((d) => d.code === c.rule), JSON.stringify(remaining.map((d) => d.code)));
    } finally {
      await client.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
