// Decides which files are worth parsing, from their text alone, so a scan can skip the rest (schemas,
// views, migrations) without changing any finding. (A test checks the findings equal parsing everything.)
//
// Phase 1, roots: files that can define a server, a repository, a supervisor, a request path, or start
// a process. Phase 2, repeated until nothing is added: files that define a module the parsed files call
// (a context module a callback or a controller uses; found by the module's full name), and files that
// mention a server by name (callers).
import type { FileModel } from '../model';

const ROOTS = new RegExp([
  String.raw`\buse\s+(GenServer|Agent|Ecto\.Repo|Mongo\.Repo|Seraph\.Repo|Application|Supervisor|DynamicSupervisor|Phoenix\.\w+|Plug\.\w+|Absinthe\.Schema(\.Notation)?)\b`,
  String.raw`\bdefmodule\s+[\w.]*Repo\s+do\b`,
  String.raw`@behaviour\s+Plug\b`,
  String.raw`\buse\s+[\w.]+,\s*:(controller|live_view|live_component|channel|router)\b`,
  String.raw`\b(GenServer|Agent)\.start`,
  String.raw`\bspawn(_link)?\b`,
  String.raw`\b(Dynamic)?Supervisor\.(start_link|start_child|init)\b`,
].join('|'));

export function isRoot(text: string): boolean {
  return ROOTS.test(text);
}

const DEFMODULE = /\bdefmodule\s+([A-Z][\w.]*)/g;

/** The names of the modules a file defines, as written after `defmodule` (full, or relative when nested). */
function definedModuleNames(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(DEFMODULE)) out.push(match[1]);
  return out;
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/**
 * Finds the files that can define a module the front end named in full (`Portal.Actor.Database`): those
 * whose `defmodule` writes that name or a tail of it (a nested module writes its name relative to its
 * parent's). A name with none (an alias the front end could not see, say one a `use` macro adds) falls
 * back to every file defining a module with its last segment.
 */
class ModuleLookup<T extends { text: string }> {
  private readonly byWritten = new Map<string, T[]>();
  private readonly byLast = new Map<string, T[]>();

  constructor(files: T[]) {
    for (const file of files) {
      for (const written of definedModuleNames(file.text)) {
        push(this.byWritten, written, file);
        push(this.byLast, lastSegment(written), file);
      }
    }
  }

  filesDefining(name: string): T[] {
    const found = new Set<T>();
    const segments = name.split('.');
    for (let i = 0; i < segments.length; i++) for (const file of this.byWritten.get(segments.slice(i).join('.')) ?? []) found.add(file);
    return found.size > 0 ? [...found] : this.byLast.get(lastSegment(name)) ?? [];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Modules a parsed file refers to (calls, children, imports) by their full names, and names of servers it defines. */
export function referencesOf(model: FileModel): { modules: Set<string>; serverNames: Set<string> } {
  const modules = new Set<string>();
  const serverNames = new Set<string>();
  for (const m of model.modules) {
    for (const imported of m.imports) modules.add(imported);
    for (const child of m.children) {
      modules.add(child.module);
      if (child.registration?.name) serverNames.add(child.registration.name);
    }
    for (const f of m.functions) for (const call of f.calls) if (call.module && /^[A-Z]/.test(call.module)) modules.add(call.module);
  }
  for (const s of model.serializers) {
    serverNames.add(lastSegment(s.name));
    if (s.registration.name) serverNames.add(s.registration.name);
  }
  return { modules, serverNames };
}

/** A regex that finds any of the words (`UserStore`, `:cache`) as a whole word. */
export function mentionsAny(words: Iterable<string>): RegExp | undefined {
  const list = [...words].map((w) => w.replace(/^:/, '')).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return list.length ? new RegExp(`(?<![\\w])(${list.join('|')})(?![\\w?!])`) : undefined;
}

/**
 * The choice of files as steps: each step yields the files to parse next and receives their models
 * (undefined for a file that could not be read as code). Parsing stays with the caller, in its thread or
 * in workers.
 */
function* selection<T extends { text: string }>(files: T[]): Generator<T[], FileModel[], (FileModel | undefined)[]> {
  const models: FileModel[] = [];
  const pending = new Set(files);
  const lookup = new ModuleLookup(files);
  const seenModules = new Set<string>();
  const seenNames = new Set<string>();
  let batch = files.filter((f) => isRoot(f.text));
  while (batch.length > 0) {
    const parsed: (FileModel | undefined)[] = yield batch.filter((f) => pending.delete(f));
    const newModules = new Set<string>();
    const newNames = new Set<string>();
    for (const model of parsed) {
      if (!model) continue;
      models.push(model);
      const refs = referencesOf(model);
      for (const m of refs.modules) if (!seenModules.has(m)) { seenModules.add(m); newModules.add(m); }
      for (const n of refs.serverNames) if (!seenNames.has(n)) { seenNames.add(n); newNames.add(n); }
    }
    const next = new Set<T>();
    for (const name of newModules) for (const file of lookup.filesDefining(name)) if (pending.has(file)) next.add(file);
    const mention = mentionsAny(newNames);
    if (mention) for (const file of pending) if (mention.test(file.text)) next.add(file);
    batch = [...next];
  }
  return models;
}

/**
 * Picks the files to parse, roots first. `parse` turns a file's text into its model (or undefined when
 * it cannot be read as code); it is called once per chosen file.
 */
export function selectAndParse<T extends { text: string }>(files: T[], parse: (file: T) => FileModel | undefined): FileModel[] {
  const steps = selection(files);
  let step = steps.next();
  while (!step.done) step = steps.next(step.value.map(parse));
  return step.value;
}

/** The same choice, with each batch parsed by `parseBatch` (the CLI hands batches to worker threads). */
export async function selectAndParseBatches<T extends { text: string }>(files: T[], parseBatch: (batch: T[]) => Promise<(FileModel | undefined)[]>): Promise<FileModel[]> {
  const steps = selection(files);
  let step = steps.next();
  while (!step.done) step = steps.next(await parseBatch(step.value));
  return step.value;
}
