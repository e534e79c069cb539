// TypeScript refactorings for the Node rules' fixes. Like the Elixir ones, each returns complete edits
// or the reason it cannot be done for this code. The tests type-check every result with the compiler.
import { ts } from 'ts-morph';
import type { Range, Refactoring } from '../model';
import { LineIndex } from '../positions';
import type { ReadText } from '../elixir/refactor';

export class TypeScriptRefactorer {
  constructor(private readonly read: ReadText) {}

  private callAt(uri: string, range: Range): { text: string; lines: LineIndex; call: ts.CallExpression; sf: ts.SourceFile } | undefined {
    const text = this.read(uri);
    if (text === undefined) return undefined;
    const lines = new LineIndex(text);
    const sf = ts.createSourceFile(uri, text, ts.ScriptTarget.Latest, true);
    const start = lines.offset(range.start);
    const end = lines.offset(range.end);
    let found: ts.CallExpression | undefined;
    const visit = (node: ts.Node) => {
      if (found) return;
      if (ts.isCallExpression(node) && node.getStart(sf) === start && node.getEnd() === end) found = node;
      else ts.forEachChild(node, visit);
    };
    visit(sf);
    return found ? { text, lines, call: found, sf } : undefined;
  }

  /**
   * `lock.runExclusive(() => { … })` around code with no await becomes `(async () => { … })()`: the
   * same code, run at once (nothing can interleave with synchronous code), still returning a promise.
   */
  dropLock(uri: string, range: Range): Refactoring {
    const found = this.callAt(uri, range);
    if (!found) return { reason: 'the critical section could not be found' };
    const { call, sf, lines } = found;
    const fn = call.arguments.find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a)) as ts.ArrowFunction | ts.FunctionExpression | undefined;
    if (!fn || call.arguments.length !== 1) return { reason: 'the section is not one function written here' };
    const isAsync = fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    const fnText = fn.getText(sf);
    return { edits: [{ uri, range: lines.range(call.getStart(sf), call.getEnd()), newText: `(${isAsync ? '' : 'async '}${fnText})()` }] };
  }

  /**
   * One global lock around a map keyed per entity becomes one lock per key: the declaration turns into a
   * Map of locks with a `with<Name>(key, work)` helper that drops a key's lock when it is idle, and each
   * `lock.runExclusive(fn)` becomes `with<Name>(key, fn)` with the key the section uses.
   */
  lockPerKey(uri: string, declaration: Range, sections: { head: Range; key: string }[]): Refactoring {
    const text = this.read(uri);
    if (text === undefined) return { reason: `cannot read ${uri}` };
    const lines = new LineIndex(text);
    const sf = ts.createSourceFile(uri, text, ts.ScriptTarget.Latest, true);
    const start = lines.offset(declaration.start);
    let statement: ts.VariableStatement | undefined;
    ts.forEachChild(sf, (node) => {
      if (ts.isVariableStatement(node) && node.declarationList.declarations.length === 1 && node.declarationList.declarations[0].getStart(sf) === start) statement = node;
    });
    const decl = statement?.declarationList.declarations[0];
    if (!statement || !decl || !ts.isIdentifier(decl.name) || !decl.initializer || !ts.isNewExpression(decl.initializer) || decl.initializer.getText(sf) !== 'new Mutex()') {
      return { reason: 'the lock is not `const name = new Mutex()` at the top level' };
    }
    const name = decl.name.text;
    const helper = `with${name[0].toUpperCase()}${name.slice(1)}`;
    const map = `${name}ByKey`;
    if (new RegExp(`\\b(${helper}|${map})\\b`).test(text)) return { reason: `${helper} or ${map} is taken` };
    const edits = [];
    for (const section of sections) {
      const found = this.callAt(uri, section.head);
      const call = found?.call;
      if (!call || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'runExclusive' || call.expression.expression.getText(sf) !== name || call.arguments.length !== 1) {
        return { reason: 'a section is not `lock.runExclusive(fn)`' };
      }
      edits.push({ uri, range: section.head, newText: `${helper}(${section.key}, ${call.arguments[0].getText(sf)})` });
    }
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const replacement = [
      `// One lock per key, dropped when idle: callers about different keys no longer wait on each other.`,
      `const ${map} = new Map<unknown, Mutex>();`,
      '',
      `async function ${helper}<T>(key: unknown, work: () => T | Promise<T>): Promise<T> {`,
      `  const lock = ${map}.get(key) ?? new Mutex();`,
      `  ${map}.set(key, lock);`,
      '  try {',
      '    return await lock.runExclusive(work);',
      '  } finally {',
      `    if (!lock.isLocked()) ${map}.delete(key);`,
      '  }',
      '}',
    ].join(eol);
    edits.push({ uri, range: lines.range(statement.getStart(sf), statement.getEnd()), newText: replacement });
    return { edits };
  }

  /**
   * `chain = chain.then(job)` becomes `chain = chain.catch(() => undefined).then(job)`: each link starts
   * after the previous one whatever its outcome, and a caller's promise rejects only for its own job.
   */
  recoverChain(uri: string, range: Range): Refactoring {
    const found = this.callAt(uri, range);
    if (!found) return { reason: 'the chain could not be found' };
    const { call, sf, lines } = found;
    if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'then') return { reason: 'not a .then link' };
    const receiver = call.expression.expression;
    return {
      title: 'Keep the chain going after a failure (.catch before .then)',
      edits: [{ uri, range: lines.range(receiver.getStart(sf), receiver.getEnd()), newText: `${receiver.getText(sf)}.catch(() => undefined)` }],
    };
  }
}
