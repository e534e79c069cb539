// What the TypeScript rules share: how a serializer is named in messages, where a finding about a
// reached call goes, and what a call to a pooled store reads or writes.
import { callsReachedFrom, type ReachedCall } from '../callgraph';
import type { CallSite, Handler, ProjectContext, Range, Serializer } from '../model';

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

export function sectionCalls(server: Serializer, section: Handler, project: ProjectContext): ReachedCall[] {
  return callsReachedFrom(server, section, project);
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
