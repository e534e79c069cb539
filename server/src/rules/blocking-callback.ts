// blocking-callback: slow work that does not need the state (HTTP, sleep, shell, file I/O) inside a singleton's callbacks.
import { callsReachedFrom, chainEvidence, clausesReachedFrom, describeChain, placeInServer, shortModule } from '../callgraph';
import type { SlowKind } from '../model';
import { describeCallback, fixOf, handlerAt, isStateless, serverOf } from './shared/fixes';
import type { Rule } from './types';

const WHAT: Record<SlowKind, string> = {
  http: 'an HTTP request',
  sleep: 'a sleep',
  shell: 'an external command',
  file: 'file I/O',
};

export const blockingCallback: Rule = {
  meta: {
    id: 'blocking-callback',
    title: 'Slow work inside a singleton callback',
    language: 'elixir',
    question: 'concurrency',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: "Slow work that does not need the state (HTTP, Process.sleep, System.cmd, file I/O) inside a singleton's handle_call or handle_cast blocks every other caller.",
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (!project.singleton(server)) continue;
      for (const handler of server.handlers) {
        if (!handler.servesCallers) continue;
        // A handler that takes the queued callers off the mailbox answers them all with one piece of work:
        // the serialization is the point (a coalescing reloader, a batch writer).
        if (clausesReachedFrom(server, handler, project).some((c) => c.drainsMailbox)) continue;
        const state = handler.stateParam;
        for (const reached of callsReachedFrom(server, handler, project)) {
          const { call } = reached;
          if (!call.slow) continue;
          // Work that takes the state as input needs the server as it is written.
          if (state && [...reached.chain, call].some((c) => c.mentions.includes(state))) continue;
          report({ // a call reached from several handlers is reported once: analyzeFile keeps one finding per place
            range: placeInServer(server, reached),
            serializer: server.name,
            message: `${shortModule(call.module!)}.${call.fn} is ${WHAT[call.slow]} inside ${server.name} (${describeChain(reached)}): every other caller waits behind it, and GenServer.call gives up after 5 seconds. It does not need the state: do it in the caller, or in a Task and reply with GenServer.reply/2.`,
            related: chainEvidence(reached, server.uri),
          });
        }
      }
    }
  },
  fixes({ finding, file, refactor }) {
    const server = serverOf(finding, file);
    const handler = server && handlerAt(server, finding);
    if (!server || !handler) return [];
    // In the caller when the callback does not touch the state; else in a task that replies later.
    if (isStateless(handler) && handler.tag) {
      const moved = fixOf(refactor.inlineHandlers(server, [handler.tag]), `Do the work in the caller: move ${describeCallback(handler)} into its client function`, 'refactor.rewrite');
      if (moved.length) return moved;
    }
    return fixOf(refactor.replyFromTask(server, handler), 'Reply from a task', 'refactor.rewrite');
  },
};
