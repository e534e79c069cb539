// Which TypeScript/JavaScript files a scan must parse. A finding is about a serializer (a lock, a
// one-at-a-time queue or limiter, a worker, a promise chain), what its sections reach, and who reaches
// it; files link to each other only through imports. So: first the files whose text can declare a
// serializer; then, from those that do declare one, everything they import (pooled clients, helpers the
// sections call) and everything that imports them (callers, request handlers, sections on an imported
// lock), transitively. A test checks the findings equal parsing everything.
import { pathToFileURL } from 'url';
import { moduleKey, resolveSpecifier } from './frontend';
import { mayDeclareSerializer } from './hints';

/** Every module specifier in the text, over-approximated: comments and strings may add some. */
const SPECIFIERS = [/\bimport\b[^'";]*?['"]([^'"\n]+)['"]/g, /\bfrom\s*['"]([^'"\n]+)['"]/g, /\brequire\s*\(\s*['"]([^'"\n]+)['"]/g];

function specifiersOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const pattern of SPECIFIERS) for (const match of text.matchAll(pattern)) out.add(match[1].replace(/^node:/, ''));
  return out;
}

/**
 * Parses the files worth parsing (`parse` is called once per chosen file, roots first) and returns
 * their models. `file` is a path on disk.
 */
export function selectAndParseTypeScript<T extends { file: string; text: string }, M extends { serializers: unknown[] }>(files: T[], parse: (file: T) => M | undefined): M[] {
  const roots = files.filter((f) => mayDeclareSerializer(f.text));
  const models = new Map<T, M | undefined>(roots.map((f) => [f, parse(f)]));
  const seeds = roots.filter((f) => (models.get(f)?.serializers.length ?? 0) > 0);
  if (seeds.length > 0) {
    const { imports, importedBy } = importGraph(files);
    for (const edges of [imports, importedBy]) {
      const stack = [...seeds];
      const seen = new Set<T>(seeds);
      while (stack.length > 0) {
        const f = stack.pop()!;
        if (!models.has(f)) models.set(f, parse(f));
        for (const next of edges.get(f) ?? []) if (!seen.has(next)) { seen.add(next); stack.push(next); }
      }
    }
  }
  return files.filter((f) => models.get(f)).map((f) => models.get(f)!);
}

/** Which files import which, from the text of every file (an over-approximation: see specifiersOf). */
function importGraph<T extends { file: string; text: string }>(files: T[]): { imports: Map<T, Set<T>>; importedBy: Map<T, Set<T>> } {
  const byKey = new Map<string, T[]>();
  const uris = new Map<T, string>();
  for (const f of files) {
    const uri = pathToFileURL(f.file).href;
    uris.set(f, uri);
    const key = moduleKey(uri);
    byKey.set(key, [...(byKey.get(key) ?? []), f]);
  }
  const imports = new Map<T, Set<T>>();
  const importedBy = new Map<T, Set<T>>();
  for (const f of files) {
    const targets = new Set<T>();
    for (const specifier of specifiersOf(f.text)) {
      const key = resolveSpecifier(uris.get(f)!, specifier);
      for (const target of (key && byKey.get(key)) || []) if (target !== f) targets.add(target);
    }
    imports.set(f, targets);
    for (const t of targets) importedBy.set(t, (importedBy.get(t) ?? new Set()).add(f));
  }
  return { imports, importedBy };
}
