// pool-behind-lock: a mutex, one-at-a-time queue or promise chain around calls to a pooled client
// (pg, mysql2, knex, Prisma, Redis, an HTTP agent): the pool could serve many calls at once, the lock
// lets one through at a time.
import { fixOf } from './shared/fixes';
import type { Rule } from './types';
import { inProcessReadModifyWrite } from './in-process-lock';
import { KIND_WORD, placeOf, resourceOf, sectionCalls, sectionName, sectionsIn, shownName } from './shared/ts-common';

export const poolBehindLock: Rule = {
  meta: {
    id: 'pool-behind-lock',
    title: 'A pooled client behind a lock',
    language: 'typescript',
    question: 'concurrency',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: 'A mutex, concurrency-1 queue or promise chain around calls to a pooled resource (pg, mysql2, knex, Prisma, Redis, HTTP): the pool serves one call at a time.',
  },
  check({ file, project, report }) {
    for (const { server, section } of sectionsIn(file, project)) {
      if (server.kind === 'Worker') continue;
      {
        if (inProcessReadModifyWrite(server, section, project)) continue; // in-process-lock says more
        const reached = sectionCalls(server, section, project).filter((r) => resourceOf(r.call, project));
        // Filling a shared value once for everyone (a single-flight token refresh over HTTP) is what the lock is for.
        if (section.singleFlight || (section.writes && reached.every((r) => resourceOf(r.call, project) === 'http'))) continue;
        const pooled = reached[0];
        if (!pooled) continue;
        const { call } = pooled;
        const resource = resourceOf(call, project)!;
        report({
          range: placeOf(server, pooled),
          serializer: server.name,
          message: `${call.callee ?? call.fn} (${resource}) runs while ${sectionName(section)} holds the ${KIND_WORD[server.kind]} ${shownName(server)}: the ${resource} pool could serve many calls at once, the ${KIND_WORD[server.kind]} lets one through at a time. Call it outside the critical section, or drop the lock if it only protects the call.`,
          related: [
            { uri: server.uri, range: server.declaration, why: `${shownName(server)}: one caller at a time`, code: server.handlers[0]?.code ?? '' },
            { uri: call.uri, range: call.range, why: `a ${resource} call`, code: call.code },
          ],
        });
      }
    }
  },
  fixes({ finding, file, project, refactor }) {
    // Only when the section changes nothing shared: then the lock guards nothing but the pool's calls.
    for (const { server, section } of sectionsIn(file, project)) {
      const reached = sectionCalls(server, section, project).filter((r) => resourceOf(r.call, project));
      if (section.writes !== false || !reached.some((r) => sameStart(placeOf(server, r), finding.range))) continue;
      return fixOf(refactor.dropLock(file.uri, section.headRange), 'Call the pool without the lock', 'refactor.rewrite');
    }
    return [];
  },
};

function sameStart(a: { start: { line: number; character: number } }, b: { start: { line: number; character: number } }): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character;
}
