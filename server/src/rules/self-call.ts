// self-call: a callback that calls its own server waits for a reply only it could give: a deadlock until the timeout.
import { callsReachedFrom, describeChain } from '../callgraph';
import type { Serializer, ServerCall } from '../model';
import type { Rule } from './types';

function addressesItself(server: Serializer, call: ServerCall): boolean {
  if (!call.waits) return false;
  if (call.target === 'self') return true;
  const name = server.registration.name;
  if (!name) return false;
  return call.target === name || call.target === `{:global, ${name}}`;
}

export const selfCall: Rule = {
  meta: {
    id: 'self-call',
    title: 'A callback calls its own server',
    language: 'elixir',
    question: 'correctness',
    defaultSeverity: 'error',
    description: 'A callback that calls its own server (directly or through a client function) waits for a reply only it could give: a deadlock until the call times out.',
  },
  check({ file, report }) {
    for (const server of file.serializers) {
      for (const handler of server.handlers) {
        const seen = new Set<string>();
        for (const reached of callsReachedFrom(server, handler)) {
          const { call } = reached;
          if (!call.serverCall || !addressesItself(server, call.serverCall)) continue;
          const start = reached.chain[0] ?? call; // the line in the callback that starts the chain
          const key = `${start.range.start.line}:${start.range.start.character}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const api = call.module === 'Agent' ? `Agent.${call.fn}` : `GenServer.${call.fn}`;
          report({
            range: start.range,
            serializer: server.name,
            message: `${server.name} calls itself from ${handler.name} (${describeChain(reached)}): ${api} waits for a reply that only this busy process could send — a deadlock until the call times out and crashes the server. Call the function that does the work instead.`,
            related: [
              { uri: server.uri, range: handler.headRange, why: `runs inside ${server.name}`, code: handler.code },
              { uri: call.uri, range: call.range, why: `${api} to ${call.serverCall.target === 'self' ? 'self()' : call.serverCall.target}`, code: call.code },
            ],
          });
        }
      }
    }
  },
};
