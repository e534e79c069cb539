// in-process-lock: an in-process lock around a read-modify-write of a shared external store (a database
// row, a Redis key). It protects nothing across instances or processes; a transaction with
// SELECT … FOR UPDATE, an atomic update or a Redis primitive does, without making callers wait here.
import type { Handler, ProjectContext, Serializer } from '../model';
import type { Rule } from './types';
import { resourceOf, sectionCalls, sectionName, sectionsIn, shownName, storeOp } from './shared/ts-common';

/** The section reads and then writes the same kind of external store. */
export function inProcessReadModifyWrite(server: Serializer, section: Handler, project: ProjectContext): { read: string; write: string } | undefined {
  if (server.kind !== 'Mutex') return undefined;
  const calls = sectionCalls(server, section, project).map((r) => ({ ...r.call, resource: resourceOf(r.call, project) }));
  for (const read of calls.filter((c) => storeOp(c) === 'read')) {
    const write = calls.find((c) => storeOp(c) === 'write' && c.resource === read.resource);
    if (write) return { read: read.code, write: write.code };
  }
  return undefined;
}

export const inProcessLock: Rule = {
  meta: {
    id: 'in-process-lock',
    title: 'An in-process lock around a shared store',
    language: 'typescript',
    question: 'shared-state',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: 'An in-process lock around read-modify-write of a shared external store (a database row, a Redis key): it protects nothing across instances.',
  },
  check({ file, project, report }) {
    for (const { server, section } of sectionsIn(file, project)) {
      {
        const rmw = inProcessReadModifyWrite(server, section, project);
        if (!rmw) continue;
        report({
          range: section.headRange,
          serializer: server.name,
          message: `${sectionName(section)} takes ${shownName(server)} around a read-modify-write of a shared store: the lock exists in this process only, so a second instance (or a worker) can interleave between the read and the write, while every caller here waits. Use a transaction with SELECT … FOR UPDATE, an atomic update (UPDATE … SET n = n + 1), or a Redis primitive (INCR, WATCH/MULTI, SET NX).`,
          related: [
            { uri: server.uri, range: section.range, why: `reads: ${rmw.read}`, code: rmw.read },
            { uri: server.uri, range: section.range, why: `then writes: ${rmw.write}`, code: rmw.write },
          ],
        });
      }
    }
  },
};
