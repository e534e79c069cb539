// The whole pipeline for a set of files on disk, shared by the CLI and the server's background scan:
// text -> tree -> model (trees are freed at once), then the project context, then findings.
import { pathToFileURL } from 'url';
import { analyzeFile, type AnalysisOptions } from './analysis';
import { ElixirParser } from './elixir/parser';
import { buildElixirModel } from './elixir/frontend';
import type { FileModel, Finding } from './model';
import { WorkspaceIndex } from './workspace/index';
import { readSourceFile } from './workspace/files';
import { mayMatter } from './workspace/prefilter';

export interface ScanResult {
  models: FileModel[];
  findings: Finding[];
  errors: { file: string; message: string }[];
}

export function modelFromText(parser: ElixirParser, uri: string, text: string): FileModel {
  const tree = parser.parse(text);
  try {
    return buildElixirModel(uri, text, tree);
  } finally {
    tree.delete();
  }
}

/**
 * The model of a file on disk, or undefined when it cannot change a finding (the text pre-filter) or is
 * above `maxChars`. The CLI and the server's background index both read files through this.
 */
export function modelOfFile(
  parser: ElixirParser, file: string,
  { uri = pathToFileURL(file).href, parseEverything = false, maxChars = Infinity }: { uri?: string; parseEverything?: boolean; maxChars?: number } = {},
): FileModel | undefined {
  const text = readSourceFile(file);
  if ((!parseEverything && !mayMatter(text)) || text.length > maxChars) return undefined;
  return modelFromText(parser, uri, text);
}

export interface ScanOptions extends AnalysisOptions {
  /** Parse every file, not only those the text pre-filter keeps (for checking the pre-filter). */
  parseEverything?: boolean;
}

export async function scanFiles(files: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const parser = await ElixirParser.create();
  const index = new WorkspaceIndex();
  const models: FileModel[] = [];
  const errors: ScanResult['errors'] = [];
  for (const file of files) {
    try {
      const model = modelOfFile(parser, file, { parseEverything: options.parseEverything });
      if (!model) continue;
      index.update(model);
      models.push(model);
    } catch (error) {
      errors.push({ file, message: error instanceof Error ? error.message : String(error) });
    }
  }
  const project = index.context();
  const findings = models.flatMap((model) => analyzeFile(model, project, options));
  return { models, findings, errors };
}
