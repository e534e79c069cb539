// The whole pipeline for a set of files on disk, shared by the CLI and the server's background scan:
// text -> tree -> model (trees are freed at once), then the project context, then findings.
import { pathToFileURL } from 'url';
import { analyzeFile, type AnalysisOptions } from './analysis';
import { ElixirParser } from './elixir/parser';
import { buildElixirModel } from './elixir/frontend';
import type { FileModel, Finding } from './model';
import { WorkspaceIndex } from './workspace/index';
import { readSourceFile } from './workspace/files';
import { buildTypeScriptModel, isTypeScriptUri } from './typescript/lazy';
import { selectAndParse } from './workspace/prefilter';

export interface ScanResult {
  models: FileModel[];
  findings: Finding[];
  errors: { file: string; message: string }[];
}

export function modelFromText(parser: ElixirParser, uri: string, text: string): FileModel {
  if (isTypeScriptUri(uri)) return buildTypeScriptModel(uri, text);
  const tree = parser.parse(text);
  try {
    return buildElixirModel(uri, text, tree);
  } finally {
    tree.delete();
  }
}

/** The model of a file on disk (the server's index reads closed files through this). */
export function modelOfFile(parser: ElixirParser, file: string, { uri = pathToFileURL(file).href, maxChars = Infinity }: { uri?: string; maxChars?: number } = {}): FileModel | undefined {
  const text = readSourceFile(file);
  if (text.length > maxChars) return undefined;
  return modelFromText(parser, uri, text);
}

export interface ScanOptions extends AnalysisOptions {
  /** Parse every file, not only those the text pre-filter picks (for checking the pre-filter). */
  parseEverything?: boolean;
}

export async function scanFiles(files: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const parser = await ElixirParser.create();
  const index = new WorkspaceIndex();
  const errors: ScanResult['errors'] = [];
  const sources: { file: string; text: string }[] = [];
  for (const file of files) {
    try {
      sources.push({ file, text: readSourceFile(file) });
    } catch (error) {
      errors.push({ file, message: error instanceof Error ? error.message : String(error) });
    }
  }
  const parse = ({ file, text }: { file: string; text: string }) => {
    try {
      return modelFromText(parser, pathToFileURL(file).href, text);
    } catch (error) {
      // A file the parser cannot take (nesting too deep for the TypeScript parser) is skipped, not an I/O error.
      options.log?.(`cannot analyse ${file}, skipped: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  // TypeScript files are parsed all (the compiler's parser is quick); Elixir files through the pre-filter.
  const typescript = sources.filter((s) => isTypeScriptUri(s.file));
  const elixir = sources.filter((s) => !isTypeScriptUri(s.file));
  const parsed = (list: typeof sources) => list.map(parse).filter((m): m is FileModel => !!m);
  const models = [...parsed(typescript), ...(options.parseEverything ? parsed(elixir) : selectAndParse(elixir, parse))];
  models.forEach((m) => index.update(m));
  const project = index.context();
  models.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  const findings = models.flatMap((model) => analyzeFile(model, project, options));
  return { models, findings, errors };
}
