// The whole pipeline for a set of files on disk, shared by the CLI and the server's background scan:
// text -> tree -> model (trees are freed at once), then the project context, then findings.
import * as os from 'os';
import { fileURLToPath, pathToFileURL } from 'url';
import { analyzeFile, type AnalysisOptions } from './analysis';
import { budgetOf, DEFAULT_TIME_BUDGET_MS } from './budget';
import { ElixirParser } from './elixir/parser';
import { buildElixirModel } from './elixir/frontend';
import type { FileModel, Finding } from './model';
import { WorkspaceIndex } from './workspace/index';
import { readSourceFile } from './workspace/files';
import { buildTypeScriptModel, isTypeScriptUri, selectAndParseTypeScript } from './typescript/lazy';
import { selectAndParse, selectAndParseBatches } from './workspace/prefilter';
import { ParseWorker } from './workspace/parse-worker';

export interface ScanResult {
  models: FileModel[];
  findings: Finding[];
  errors: { file: string; message: string }[];
}

/** Throws BudgetExceeded when parsing, or building the model, takes longer than `budgetMs`. */
export function modelFromText(parser: ElixirParser | undefined, uri: string, text: string, budgetMs = DEFAULT_TIME_BUDGET_MS): FileModel {
  if (isTypeScriptUri(uri)) return buildTypeScriptModel(uri, text);
  if (!parser) throw new Error(`no Elixir parser for ${uri}`);
  const tree = parser.parse(text, undefined, budgetMs);
  try {
    return buildElixirModel(uri, text, tree, undefined, undefined, budgetOf(budgetMs));
  } finally {
    tree.delete();
  }
}

export interface ScanOptions extends AnalysisOptions {
  /** Parse every file, not only those the text pre-filter picks (for checking the pre-filter). */
  parseEverything?: boolean;
}

export async function scanFiles(files: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const index = new WorkspaceIndex();
  const errors: ScanResult['errors'] = [];
  let parser: ElixirParser | undefined;
  const parse = ({ file, text }: { file: string; text: string }) => {
    try {
      return modelFromText(parser, pathToFileURL(file).href, text);
    } catch (error) {
      // A file the parser cannot take (nesting too deep for the TypeScript parser) is skipped, not an I/O error.
      options.log?.(`cannot analyse ${file}, skipped: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  const parsed = (list: { file: string; text: string }[]) => list.map(parse).filter((m): m is FileModel => !!m);
  // Workers and this thread's parser (its wasm instance costs memory and start-up time: only when there
  // are Elixir files) get ready while the files are read.
  const elixirCount = files.filter((f) => !isTypeScriptUri(f)).length;
  const pool = elixirCount >= WORKER_THRESHOLD && !options.parseEverything ? startWorkers(parse, options) : undefined;
  const sources: { file: string; text: string }[] = [];
  let elixirModels: FileModel[];
  // Whatever fails, the workers stop: a live worker would keep the process from exiting.
  try {
    const parserReady = elixirCount > 0 ? ElixirParser.create() : undefined;
    for (const file of files) {
      try {
        sources.push({ file, text: readSourceFile(file) });
      } catch (error) {
        errors.push({ file, message: error instanceof Error ? error.message : String(error) });
      }
    }
    parser = await parserReady;
    const elixir = sources.filter((s) => !isTypeScriptUri(s.file));
    elixirModels = options.parseEverything ? parsed(elixir) : pool ? await selectAndParseBatches(elixir, pool.parse) : selectAndParse(elixir, parse);
  } finally {
    await pool?.stop();
  }
  // Only the files that can matter are parsed: each language has its text pre-filter.
  const typescript = sources.filter((s) => isTypeScriptUri(s.file));
  const models = [...(options.parseEverything ? parsed(typescript) : selectAndParseTypeScript(typescript, parse)), ...elixirModels];
  // In path order, whatever order they were parsed in: callers, and so related information, come out the same.
  models.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  models.forEach((m) => index.update(m));
  const project = index.context();
  const findings = models.flatMap((model) => analyzeFile(model, project, {
    ...options,
    budget: budgetOf(),
    onOutOfTime: (skipped, budget) => options.log?.(`${fileURLToPath(model.uri)}: analysing took longer than the time budget of ${budget.ms} ms; not run: ${skipped.join(', ')}`),
  }));
  return { models, findings, errors };
}

/** Below this many Elixir files a scan parses in its own thread: starting workers would cost more. */
const WORKER_THRESHOLD = 400;

/**
 * Worker threads that parse batches of files beside this thread (one thread per core, this one
 * included: each thread holds a parser and a heap, so no more than the cores can use), when running
 * from the bundle. Models come back as plain data.
 */
function startWorkers<T extends { file: string; text: string }>(parseHere: (file: T) => FileModel | undefined, options: ScanOptions): { parse: (batch: T[]) => Promise<(FileModel | undefined)[]>; stop: () => Promise<void> } | undefined {
  const count = Math.min(os.availableParallelism?.() ?? os.cpus().length, 8) - 1;
  if (count < 1) return undefined;
  const workers: ParseWorker[] = [];
  for (let i = 0; i < count; i++) {
    const worker = ParseWorker.start();
    if (!worker) {
      for (const started of workers) void started.stop();
      return undefined;
    }
    workers.push(worker);
  }
  return {
    async parse(batch) {
      const size = Math.ceil(batch.length / (workers.length + 1));
      const sent = workers.map((w, i) => w.parse(batch.slice((i + 1) * size, (i + 2) * size)));
      // This thread's share is parsed while the workers parse theirs, a few files at a time so that the
      // workers' results are taken in as they come rather than all at the end.
      const here: (FileModel | undefined)[] = [];
      for (const file of batch.slice(0, size)) {
        here.push(parseHere(file));
        if (here.length % 32 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const there = (await Promise.all(sent)).flat().map((r, i) => {
        if (r.error) options.log?.(`cannot analyse ${batch[size + i].file}, skipped: ${r.error}`);
        return r.model;
      });
      return [...here, ...there];
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}
