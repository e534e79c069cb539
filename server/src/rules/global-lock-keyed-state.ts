// global-lock-keyed-state: one lock guarding a map keyed by user, session or order id, where each
// section touches one key. Callers about different keys wait on each other for nothing.
import { fixOf } from './shared/fixes';
import type { Rule } from './types';
import { allSections, sectionCalls, shownName } from './shared/ts-common';

export const globalLockKeyedState: Rule = {
  meta: {
    id: 'global-lock-keyed-state',
    title: 'One lock for every key',
    language: 'typescript',
    question: 'shared-state',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: 'One lock guarding a map keyed by user/session/order id, each section touching one key: a lock per key would let different keys run in parallel.',
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (server.language !== 'typescript' || server.kind !== 'Mutex') continue;
      const sections = allSections(server, project);
      const accesses = sections.map((h) => sectionCalls(server, h, project).map((r) => r.call.mapAccess).filter((a) => !!a));
      const touching = accesses.filter((a) => a.length > 0);
      // Every section that touches a shared map picks one entry by a variable key, and all use one key each.
      const keyed = touching.filter((a) => a.every((x) => x!.key !== null) && new Set(a.map((x) => x!.key)).size === 1);
      if (touching.length === 0 || keyed.length !== touching.length || !touching.flat().some((a) => a!.op === 'set' || a!.op === 'delete')) continue;
      const mapName = touching[0][0]!.map;
      if (sections.some((h) => h.mapsWhole?.includes(mapName))) continue; // a section needs every entry
      const map = mapName.split('#').pop();
      report({
        range: server.declaration,
        serializer: server.name,
        message: `${shownName(server)} guards the whole map ${map}, but each critical section touches one key (${[...new Set(keyed.map((a) => a[0]!.key))].join(', ')}): callers about different keys wait on each other for nothing. Use one lock per key (a Map of mutexes, removed when idle).`,
        related: server.handlers.map((h) => ({ uri: server.uri, range: h.headRange, why: `${h.name} touches one key`, code: h.code })),
      });
    }
  },
  fixes({ finding, file, project, refactor }) {
    const server = file.serializers.find((s) => s.name === finding.serializer);
    // Every section must be here, each with the one key it uses.
    if (!server || allSections(server, project).length !== server.handlers.length) return [];
    const sections = server.handlers.map((h) => ({ head: h.headRange, key: sectionCalls(server, h, project).map((r) => r.call.mapAccess?.key).find((k) => !!k) }));
    if (sections.some((s) => !s.key)) return [];
    return fixOf(refactor.lockPerKey(file.uri, server.declaration, sections as { head: typeof sections[0]['head']; key: string }[]), 'Use one lock per key', 'refactor.rewrite');
  },
};
