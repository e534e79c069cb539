// What the TypeScript rules share: how a serializer is named in messages, where a finding about a
// reached call goes, and what a call to a pooled store reads or writes.
import { callsReachedFrom, callsReachedFromFunction, type ReachedCall } from '../../callgraph';
import type { CallSite, FileModel, Handler, ProjectContext, Range, Serializer } from '../../model';

/** `lock`, `this.queue`: the serializer as written in its file. */
export function shownName(server: Serializer): string {
  return server.registration.text || server.name.split('#').pop()!;
}

export const KIND_WORD: Record<string, string> = {
  Mutex: 'mutex', Queue: 'one-at-a-time queue', Limiter: 'concurrency-1 limiter', PromiseChain: 'promise chain', Worker: 'worker',
};

/** On the call when it is in the section's own file, else on the section's first step towards it. */
export function placeOf(server: Serializer, reached: ReachedCall): Range {
  return reached.call.uri === server.uri || reached.chain.length === 0 ? reached.call.range : reached.chain[0].range;
}

/** What a section does, followed from the module it is written in (its own calls resolve there). */
export function sectionCalls(server: Serializer, section: Handler, project: ProjectContext): ReachedCall[] {
  const home = section.calls[0] ? project.allModules().find((m) => m.uri === section.calls[0].uri) : undefined;
  return home && home.uri !== server.uri ? callsReachedFromFunction(home, section, project) : callsReachedFrom(server, section, project);
}

/** The critical sections written in this file: on its own serializers, and on serializers other modules define. */
export function sectionsIn(file: FileModel, project: ProjectContext): { server: Serializer; section: Handler }[] {
  const out = file.serializers.filter((s) => s.language === 'typescript').flatMap((server) => server.handlers.map((section) => ({ server, section })));
  for (const { serializer, section } of file.modules.flatMap((m) => m.foreignSections ?? [])) {
    const server = project.serializerNamed(serializer);
    if (server) out.push({ server, section });
  }
  return out;
}

/** Every section of a serializer, wherever in the workspace it is written. */
export function allSections(server: Serializer, project: ProjectContext): Handler[] {
  return [...server.handlers, ...project.allModules().flatMap((m) => (m.foreignSections ?? []).filter((f) => f.serializer === server.name).map((f) => f.section))];
}

export function sectionName(section: Handler): string {
  return section.name.includes('(') ? `the ${section.name} handler` : section.name;
}

/** A call to a pooled store reads (`select`, `get`, `findOne`) or writes (`update`, `set`, `save`), from its name or SQL. */
export function storeOp(call: CallSite, resource = call.resource): 'read' | 'write' | undefined {
  if (!resource || resource === 'http') return undefined;
  const method = call.fn.split('.').pop()!;
  if (/^(query|execute|raw|\$queryRaw|\$executeRaw)$/.test(method)) {
    if (/\b(update|insert|delete|upsert)\b/i.test(call.code)) return 'write';
    if (/\bselect\b/i.test(call.code)) return 'read';
    return undefined;
  }
  if (/^(get|hget|hgetall|mget|find\w*|count\w*|exists)$/.test(method)) return 'read';
  if (/^(set|hset|mset|update\w*|save|insert\w*|upsert\w*|replace\w*|put)$/.test(method)) return 'write';
  return undefined;
}

/** The pooled client a call uses: known in its file, or a client another module exports (`import { pool } from './db.js'`). */
export function resourceOf(call: CallSite, project: ProjectContext): string | undefined {
  if (call.resource) return call.resource;
  const [binding, method] = call.fn.split('.');
  return call.module && method ? project.module(call.module)?.resources?.[binding] : undefined;
}

/** The serializer a call waits to enter, in its file or exported by another module (`lock.runExclusive`). */
export function acquiresOf(call: CallSite, project: ProjectContext): string | undefined {
  if (call.acquires) return call.acquires;
  const [binding, method] = call.fn.split('.');
  // An imported limiter called directly: `limit(() => …)`.
  if (call.module && !method) {
    const name = project.module(call.module)?.serializersByBinding?.[binding];
    return name && project.serializerNamed(name)?.kind === 'Limiter' ? name : undefined;
  }
  if (!call.module || !method || !/^(runExclusive|acquire|add|addAll|push|schedule|wrap|submit)$/.test(method)) return undefined;
  return project.module(call.module)?.serializersByBinding?.[binding];
}
