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
