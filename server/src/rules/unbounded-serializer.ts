// unbounded-serializer: a serializer fed by request handlers with no bound, timeout or back-pressure, or a
// promise chain that one rejection poisons for every later call.
import { fixOf } from './shared/fixes';
import type { Rule } from './types';
import { acquiresOf, KIND_WORD, shownName } from './shared/ts-common';

export const unboundedSerializer: Rule = {
  meta: {
    id: 'unbounded-serializer',
    title: 'A serializer without a bound',
    language: 'typescript',
    question: 'lifecycle',
    defaultSeverity: 'warning',
    scope: 'workspace',
    description: 'A serializer fed by requests with no bound or timeout (waiters pile up without limit), or a promise chain that one rejection poisons.',
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (server.language !== 'typescript') continue;
      const poisoned = server.kind === 'PromiseChain' ? server.handlers.find((h) => h.poisonable) : undefined;
      if (poisoned) {
        report({
          range: poisoned.headRange,
          serializer: server.name,
          message: `${shownName(server)} = ${shownName(server)}.then(…) has no .catch: once one link rejects, every later link is skipped and rejects too, for every caller from then on. End each link with .catch (or keep the rejection off the chain) so one failure stays one failure.`,
          related: [],
        });
        continue;
      }
      if (server.kind === 'Worker' || server.kind === 'PromiseChain' || !server.limits || server.limits.timeout || server.limits.bound) continue;
      // Fed by requests: a request handler reaches code that waits to enter it.
      const fromRequests = project.allModules().some((m) => m.functions.some((f) => project.onRequestPath(f) && f.calls.some((c) => acquiresOf(c, project) === server.name)));
      if (!fromRequests) continue;
      report({
        range: server.declaration,
        serializer: server.name,
        message: `Requests wait on the ${KIND_WORD[server.kind]} ${shownName(server)} with no bound and no timeout: under load the waiters pile up without limit, each holding its request open, and nothing fails fast. Give it a timeout (withTimeout, timeout:) or a bound (highWater, a maximum queue size) and answer 503 when it is full.`,
        related: [],
      });
    }
  },
  fixes({ finding, file, refactor }) {
    // The poisoned chain: put a .catch before the .then; a missing bound has no mechanical fix.
    const chain = file.serializers.find((s) => s.kind === 'PromiseChain' && s.handlers.some((h) => h.headRange.start.line === finding.range.start.line && h.headRange.start.character === finding.range.start.character));
    return chain ? fixOf(refactor.recoverChain(finding.uri, finding.range), 'Keep the chain going after a failure', 'refactor.rewrite') : [];
  },
};
