// Loads web-tree-sitter and the tree-sitter-elixir grammar (both wasm, both shipped in dist/ next to the bundle).
import * as fs from 'fs';
import * as path from 'path';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { budgetOf, BudgetExceeded, DEFAULT_TIME_BUDGET_MS, outOfTime } from '../budget';

const GRAMMAR_WASM = 'tree-sitter-elixir.wasm';
const RUNTIME_WASM = 'web-tree-sitter.wasm';

/** Finds a wasm file next to the running bundle (dist/) or, when running from sources, in node_modules. */
function locateWasm(file: string): string {
  const besideBundle = path.join(__dirname, file);
  if (fs.existsSync(besideBundle)) return besideBundle;
  const pkg = file === GRAMMAR_WASM ? 'tree-sitter-elixir' : 'web-tree-sitter';
  return require.resolve(`${pkg}/${file}`);
}

let elixir: Promise<Language> | undefined;

/** Initialises the runtime once and loads the grammar; rejects with a clear message when the ABI does not fit. */
export function loadElixirLanguage(): Promise<Language> {
  elixir ??= (async () => {
    await Parser.init({ locateFile: (name: string) => (name.endsWith('.wasm') ? locateWasm(RUNTIME_WASM) : name) });
    const language = await Language.load(locateWasm(GRAMMAR_WASM));
    // web-tree-sitter 0.27 reads grammars of ABI 13..15; tree-sitter-elixir 0.3 is ABI 14.
    if (language.abiVersion < 13 || language.abiVersion > 15) {
      throw new Error(`tree-sitter-elixir ABI ${language.abiVersion} is not supported by this web-tree-sitter`);
    }
    return language;
  })();
  return elixir;
}

/** A parser for one thread of work; parse() reuses the old tree when one is given (incremental). */
export class ElixirParser {
  private constructor(private readonly parser: Parser) {}

  static async create(): Promise<ElixirParser> {
    const language = await loadElixirLanguage();
    const parser = new Parser();
    parser.setLanguage(language);
    return new ElixirParser(parser);
  }

  /** Throws BudgetExceeded when parsing takes longer than `budgetMs` (the old tree stays usable). */
  parse(text: string, oldTree?: Tree, budgetMs = DEFAULT_TIME_BUDGET_MS): Tree {
    const budget = budgetOf(budgetMs);
    // tree-sitter-elixir stops a comment or string at U+0000, which Elixir accepts there; the parser sees
    // U+FFFD instead (the same length, so every offset still fits the text).
    const input = text.includes('\0') ? text.replace(/\0/g, '\uFFFD') : text;
    const tree = this.parser.parse(input, oldTree ?? null, { progressCallback: () => outOfTime(budget) });
    if (!tree) {
      // A cancelled parse would resume on the next call, whatever its text: start afresh instead.
      this.parser.reset();
      throw new BudgetExceeded('parsing', budgetMs);
    }
    return tree;
  }
}
