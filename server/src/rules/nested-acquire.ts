// nested-acquire: a critical section that takes the same non-reentrant lock again, directly or through a
// function it calls. The inner acquire waits for the outer section, which waits for it: a deadlock (the
// twin of Elixir's self-call).
import { describeChain } from '../callgraph';
import type { Rule } from './types';
import { acquiresOf, KIND_WORD, sectionCalls, sectionsIn, shownName } from './shared/ts-common';

export const nestedAcquire: Rule = {
  meta: {
    id: 'nested-acquire',
    title: 'A lock taken again inside itself',
    language: 'typescript',
    question: 'correctness',
    defaultSeverity: 'error',
    scope: 'syntax',
    description: 'A critical section that acquires the same non-reentrant lock again, directly or through a method of the same object: a deadlock.',
  },
  check({ file, project, report }) {
    for (const { server, section } of sectionsIn(file, project)) {
      if (server.kind === 'Worker' || server.kind === 'PromiseChain') continue;
      {
        for (const reached of sectionCalls(server, section, project)) {
          if (acquiresOf(reached.call, project) !== server.name) continue;
          // Queued without waiting for it (`void queue.add(next)`): it runs later, nothing deadlocks.
          if (![...reached.chain, reached.call].every((c) => c.awaited)) continue;
          report({
            // On the section's own line that leads to the second acquire.
            range: (reached.chain[0] ?? reached.call).range,
            serializer: server.name,
            message: `This waits for the ${KIND_WORD[server.kind]} ${shownName(server)} while already holding it (${describeChain(reached)}): it is not reentrant, so the inner call waits for the outer section, which waits for it — a deadlock. Call the inner work without taking ${shownName(server)} again.`,
            related: [{ uri: server.uri, range: section.headRange, why: `${shownName(server)} is taken here`, code: section.code }],
          });
        }
      }
    }
  },
};
