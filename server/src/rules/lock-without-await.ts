// lock-without-await: a critical section with no await and no promise-returning call. JavaScript runs
// synchronous code to the end without interruption: the lock only adds a wait (and a microtask hop).
import { fixOf } from './shared/fixes';
import type { Rule } from './types';
import { sectionName, sectionsIn, shownName } from './shared/ts-common';

export const lockWithoutAwait: Rule = {
  meta: {
    id: 'lock-without-await',
    title: 'A lock around synchronous code',
    language: 'typescript',
    question: 'shared-state',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: 'A critical section with no await: synchronous JavaScript is already atomic, the lock only adds waiting.',
  },
  check({ file, project, report }) {
    for (const { server, section } of sectionsIn(file, project)) {
      if (server.kind !== 'Mutex' && server.kind !== 'Limiter') continue;
      {
        if (section.awaits !== false) continue;
        report({
          range: section.headRange,
          serializer: server.name,
          message: `${sectionName(section)} takes ${shownName(server)} around code with no await: synchronous JavaScript already runs to the end before any other code, so the lock protects nothing and every caller still waits for it. Run the code directly.`,
          related: [{ uri: server.uri, range: section.range, why: 'the critical section: nothing in it waits', code: section.code }],
        });
      }
    }
  },
  fixes({ finding, refactor }) {
    return fixOf(refactor.dropLock(finding.uri, finding.range), 'Run it without the lock', 'refactor.rewrite');
  },
};
