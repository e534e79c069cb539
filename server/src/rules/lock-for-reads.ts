// lock-for-reads: the same exclusive lock taken for frequent pure reads and rare writes. Reads wait on
// each other although none of them changes anything.
import type { Rule } from './types';
import { allSections, shownName } from './shared/ts-common';

export const lockForReads: Rule = {
  meta: {
    id: 'lock-for-reads',
    title: 'An exclusive lock for reads',
    language: 'typescript',
    question: 'shared-state',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: 'The same exclusive lock taken for frequent pure reads and rare writes: reads wait on each other for nothing.',
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (server.language !== 'typescript' || server.kind !== 'Mutex') continue;
      const sections = allSections(server, project);
      const reads = sections.filter((h) => h.writes === false);
      const writes = sections.filter((h) => h.writes);
      if (reads.length < 2 || writes.length === 0 || reads.length < 2 * writes.length) continue;
      report({
        range: server.declaration,
        serializer: server.name,
        message: `${shownName(server)} is taken by ${reads.length} sections that only read and ${writes.length} that write${writes.length === 1 ? 's' : ''}: the reads wait on each other although none changes anything. Read without the lock (publish immutable snapshots) or use a read-write lock.`,
        related: reads.map((h) => ({ uri: server.uri, range: h.headRange, why: `${h.name} only reads`, code: h.code })),
      });
    }
  },
};
