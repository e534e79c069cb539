// Finds the Elixir files of a workspace or of CLI arguments: honours .gitignore files on the way down
// and skips dependency and build folders.
import * as fs from 'fs';
import * as path from 'path';
import ignore, { type Ignore } from 'ignore';

export const ELIXIR_EXTENSIONS = ['.ex', '.exs'];
export const SOURCE_EXTENSIONS = [...ELIXIR_EXTENSIONS, '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const SKIPPED_DIRS = new Set(['deps', '_build', 'node_modules', '.git', '.elixir_ls', 'cover', '.hex', '.mix', '.next', '.nuxt', '.turbo', 'coverage']);

interface IgnoreLayer { dir: string; rules: Ignore }

function readGitignore(dir: string): IgnoreLayer | undefined {
  try {
    const text = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
    return { dir, rules: ignore().add(text) };
  } catch {
    return undefined;
  }
}

function ignored(layers: IgnoreLayer[], file: string, isDir: boolean): boolean {
  for (const layer of layers) {
    const rel = path.relative(layer.dir, file).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (layer.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/** .gitignore files above `dir`, up to the repository root (the folder holding .git). */
function ancestorGitignores(dir: string): IgnoreLayer[] {
  const layers: IgnoreLayer[] = [];
  let current = path.dirname(dir);
  if (fs.existsSync(path.join(dir, '.git'))) return layers;
  while (current !== path.dirname(current)) {
    const layer = readGitignore(current);
    if (layer) layers.unshift(layer);
    if (fs.existsSync(path.join(current, '.git'))) break;
    current = path.dirname(current);
  }
  return layers;
}

/** Every file with one of `extensions` under `root` (or `root` itself when it is a file), sorted. */
export function listSourceFiles(root: string, extensions = SOURCE_EXTENSIONS, shouldStop: () => boolean = () => false): string[] {
  const out: string[] = [];
  const stat = fs.statSync(root);
  if (stat.isFile()) return [root];
  const walk = (dir: string, layers: IgnoreLayer[]) => {
    if (shouldStop()) return;
    const own = readGitignore(dir);
    const here = own ? [...layers, own] : layers;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: skip it, the rest still counts
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || ignored(here, full, true)) continue;
        walk(full, here);
      } else if (entry.isFile() && extensions.includes(path.extname(entry.name)) && !/\.d\.[cm]?ts$/.test(entry.name) && !ignored(here, full, false)) {
        out.push(full);
      }
    }
  };
  walk(root, ancestorGitignores(path.resolve(root)));
  return out;
}

/** Reads a source file as text; invalid UTF-8 becomes U+FFFD rather than an error, a BOM is kept out. */
export function readSourceFile(file: string): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(fs.readFileSync(file));
}
