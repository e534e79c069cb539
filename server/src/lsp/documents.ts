// Open documents: text kept in sync with the editor and the model built from it on demand. Elixir keeps
// a tree-sitter tree, edited and re-parsed incrementally (tree.edit + parse with the old tree);
// TypeScript/JavaScript is parsed again by the TypeScript compiler, which needs no tree between edits.
import { Edit, type Tree } from 'web-tree-sitter';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { ElixirParser } from '../elixir/parser';
import { buildElixirModel, ModuleCache } from '../elixir/frontend';
import { buildTypeScriptModel, isTypeScriptUri } from '../typescript/lazy';
import type { FileModel, Position } from '../model';
import { LineIndex } from '../positions';
import { budgetOf, BudgetExceeded, DEFAULT_TIME_BUDGET_MS } from '../budget';

/** Files above this size get one information diagnostic instead of an analysis. */
export const MAX_FILE_CHARS = 8 * 1024 * 1024;

function endPosition(start: Position, inserted: string): Position {
  const index = new LineIndex(inserted);
  const last = index.lineCount - 1;
  const lastLength = inserted.length - index.lineStart(last);
  return last === 0 ? { line: start.line, character: start.character + lastLength } : { line: start.line + last, character: lastLength };
}

export class SourceDocument {
  private tree: Tree | undefined;
  /** The tree no longer matches the text: it has been edited and awaits a re-parse. */
  private stale = true;
  private model: FileModel | undefined;
  /** This version ran out of time once: requests on it get the same answer at once, unless the budget grew. */
  private outOfTime: BudgetExceeded | undefined;
  private readonly modules = new ModuleCache();
  private lines: LineIndex;

  constructor(readonly uri: string, public version: number, private textValue: string) {
    this.lines = new LineIndex(textValue);
  }

  get text(): string {
    return this.textValue;
  }

  get lineIndex(): LineIndex {
    return this.lines;
  }

  get tooLarge(): boolean {
    return this.textValue.length > MAX_FILE_CHARS;
  }

  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change)) {
        this.textValue = change.text;
        this.lines = new LineIndex(change.text);
        this.tree?.delete();
        this.tree = undefined;
        continue;
      }
      const startIndex = this.lines.offset(change.range.start);
      const oldEndIndex = Math.max(startIndex, this.lines.offset(change.range.end));
      const startPosition = this.lines.position(startIndex);
      const oldEndPosition = this.lines.position(oldEndIndex);
      this.textValue = this.textValue.slice(0, startIndex) + change.text + this.textValue.slice(oldEndIndex);
      this.lines = new LineIndex(this.textValue);
      const newEndIndex = startIndex + change.text.length;
      // Points use LSP lines; tree-sitter only needs them to agree with the indices we give it.
      this.tree?.edit(new Edit({
        startIndex, oldEndIndex, newEndIndex,
        startPosition: { row: startPosition.line, column: startPosition.character },
        oldEndPosition: { row: oldEndPosition.line, column: oldEndPosition.character },
        newEndPosition: (({ line, character }) => ({ row: line, column: character }))(endPosition(startPosition, change.text)),
      }));
    }
    this.version = version;
    this.stale = true;
    this.model = undefined;
    this.outOfTime = undefined;
  }

  /**
   * The model of the current text, parsing incrementally if the text changed since the last parse.
   * Throws BudgetExceeded when parsing or building it takes longer than `budgetMs`; the (edited) old
   * tree is kept, so the next version parses incrementally again.
   */
  getModel(parser: ElixirParser, budgetMs?: number): FileModel {
    if (this.model) return this.model;
    if (this.outOfTime && (budgetMs ?? DEFAULT_TIME_BUDGET_MS) <= this.outOfTime.budgetMs) throw this.outOfTime;
    if (isTypeScriptUri(this.uri)) {
      this.model = buildTypeScriptModel(this.uri, this.textValue);
      return this.model;
    }
    try {
      if (this.stale || !this.tree) {
        const next = parser.parse(this.textValue, this.tree, budgetMs);
        this.tree?.delete();
        this.tree = next;
        this.stale = false;
      }
      this.model = buildElixirModel(this.uri, this.textValue, this.tree, this.modules, this.lines, budgetOf(budgetMs));
    } catch (error) {
      if (error instanceof BudgetExceeded) this.outOfTime = error;
      throw error;
    }
    return this.model;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.model = undefined;
  }
}
