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
      const text = readSourceFile(file);
      if (!options.parseEverything && !mayMatter(text)) continue;
      const model = modelFromText(parser, pathToFileURL(file).href, text);
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
