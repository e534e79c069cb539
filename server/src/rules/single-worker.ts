// single-worker: one worker thread or child process, created once, that serves every request in turn.
import type { Rule } from './types';
import { shownName } from './shared/ts-common';

export const singleWorker: Rule = {
  meta: {
    id: 'single-worker',
    title: 'One worker for every request',
    language: 'typescript',
    question: 'concurrency',
    defaultSeverity: 'warning',
    scope: 'workspace',
    description: 'One worker thread or child process that serves every request in turn.',
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (server.language !== 'typescript' || server.kind !== 'Worker') continue;
      const posts = project.allModules().flatMap((m) => m.functions.filter((f) => f.calls.some((c) => c.posts === server.name)));
      if (posts.length === 0) continue;
      const onRequests = posts.filter((f) => project.onRequestPath(f)).length;
      report({
        range: server.declaration,
        serializer: server.name,
        message: `${shownName(server)} is one worker that every caller posts to (${posts.length} place${posts.length === 1 ? '' : 's'}${onRequests ? `, ${onRequests} on request paths` : ''}): jobs run one after another on one thread while the other cores idle. Use a pool of workers (piscina, or N workers with a queue) sized to the cores.`,
        related: posts.slice(0, 10).map((f) => ({ uri: f.calls[0]?.uri ?? server.uri, range: f.headRange, why: `${f.name} posts to it`, code: f.code })),
      });
    }
  },
};
