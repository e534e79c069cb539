// stateless-server: a singleton GenServer that never needs its state and answers none of the four questions.
import { evaluate } from '../checklist';
import { fixOf, serverOf } from './shared/fixes';
import type { Rule } from './types';

export const statelessServer: Rule = {
  meta: {
    id: 'stateless-server',
    title: 'A GenServer without state or purpose',
    language: 'elixir',
    question: 'all',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: 'A singleton GenServer whose callbacks never read or change its state and that answers none of the four checklist questions: code organised as a process.',
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (server.kind !== 'GenServer' || !project.singleton(server)) continue;
      const served = server.handlers.filter((h) => h.kind === 'handle_call' || h.kind === 'handle_cast' || h.kind === 'handle_info');
      if (!served.some((h) => h.servesCallers)) continue;
      if (!served.every((h) => h.stateUse === 'ignored' || h.stateUse === 'unchanged')) continue;
      const checklist = evaluate(server);
      if (checklist.verdict !== 'plain-module') continue;
      report({
        range: server.declaration,
        serializer: server.name,
        aboutServer: server,
        message: `${server.name} is a process that needs no process: its callbacks never read or change the state, and it runs no tasks, owns no resources and talks to no other process. Every caller waits in its one mailbox for work a plain module would do in the caller.`,
        related: served.map((h) => ({ uri: server.uri, range: h.headRange, why: `${h.name}(${h.message}) ${h.stateUse === 'ignored' ? 'ignores the state' : 'returns the state unchanged'}`, code: h.code })),
      });
    }
  },
  fixes({ finding, file, refactor }) {
    const server = serverOf(finding, file);
    return server ? fixOf(refactor.toPlainModule(server), `Turn ${server.name} into a plain module`, 'refactor.rewrite') : [];
  },
};
