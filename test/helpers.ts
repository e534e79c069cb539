// Shared by the tests: the fixture expectations, a direct analysis of snippets, and the Elixir oracle.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeFile, type AnalysisOptions } from '../server/src/analysis';
import { ElixirParser } from '../server/src/elixir/parser';
import type { FileModel, Finding } from '../server/src/model';
import { modelFromText } from '../server/src/project';
import { WorkspaceIndex } from '../server/src/workspace/index';

export const ROOT = path.resolve(__dirname, '..');
export const WORKSPACE = path.join(ROOT, 'test-workspace');

const EXPECT = /(?:#|\/\/)\s*expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)\s*$/;

/** `line:rule` for every `# expect: rule` comment (0-based lines). */
export function expectations(text: string): string[] {
  const out: string[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const match = EXPECT.exec(line);
    if (match) for (const id of match[1].split(/\s*,\s*/)) out.push(`${i}:${id}`);
  });
  return out.sort();
}

export function workspaceFiles(dir = WORKSPACE): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...workspaceFiles(full));
    else if (/\.(exs?|[cm]?[jt]sx?)$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

let parser: Promise<ElixirParser> | undefined;
export function getParser(): Promise<ElixirParser> {
  parser ??= ElixirParser.create();
  return parser;
}

/** Analyses snippets as one project (file name -> source), as the CLI would. */
export async function analyzeSources(sources: Record<string, string>, options: AnalysisOptions = {}): Promise<{ findings: Finding[]; models: FileModel[] }> {
  const p = await getParser();
  const index = new WorkspaceIndex();
  const models = Object.entries(sources).map(([name, text]) => modelFromText(p, `file:///project/${name}`, text));
  models.forEach((m) => index.update(m));
  const findings = models.flatMap((m) => analyzeFile(m, index.context(), options));
  return { findings, models };
}

/** `line:rule` for findings, the shape expectations() returns. */
export function found(findings: Finding[], uri?: string): string[] {
  return findings.filter((f) => !uri || f.uri === uri).map((f) => `${f.range.start.line}:${f.ruleId}`).sort();
}

/**
 * The Elixir oracle: each text must be accepted by Code.string_to_quoted!. Returns the texts it rejected,
 * with Elixir's message. One elixir process checks them all.
 */
export function elixirRejects(texts: string[]): { index: number; error: string }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-oracle-'));
  try {
    texts.forEach((text, i) => fs.writeFileSync(path.join(dir, `${i}.ex`), text));
    const script = `
      dir = System.argv() |> hd()
      for f <- Path.wildcard(Path.join(dir, "*.ex")) do
        try do
          Code.string_to_quoted!(File.read!(f), file: f)
        rescue
          e -> IO.puts("REJECT " <> Path.basename(f, ".ex") <> " " <> String.replace(Exception.message(e), "\\n", " "))
        end
      end
      IO.puts("ORACLE DONE")`;
    const run = spawnSync('elixir', ['-e', script, dir], { encoding: 'utf8', timeout: 120_000 });
    if (run.error) throw new Error(`cannot run elixir (install Debian's elixir package): ${run.error.message}`);
    if (!run.stdout.includes('ORACLE DONE')) throw new Error(`elixir failed: ${run.stderr}`);
    return run.stdout.split('\n').filter((l) => l.startsWith('REJECT ')).map((l) => {
      const [, index, ...rest] = l.split(' ');
      return { index: Number(index), error: rest.join(' ') };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
