// self-call: a callback that calls its own server asks for a reply only it could give. GenServer notices a
// direct call to self and exits with :calling_self (crashing the server); through another process it is a
// deadlock until the 5 s timeout. Either way the callback can never get its answer.
import { callsReachedFrom, describeChain } from '../callgraph';
import type { ProjectContext, Serializer, ServerCall } from '../model';
import { containsPosition } from '../positions';
import { fixOf, serverOf } from './shared/fixes';
import type { Rule } from './types';

/**
 * A waiting call to `self()` or to a name the server is registered under (in its start_link or a child
 * spec). Its module name alone may not be one: an unnamed server cannot be called by module name.
 */
function addressesItself(server: Serializer, call: ServerCall, project: ProjectContext): boolean {
  if (!call.waits) return false;
  if (call.target === 'self') return true;
  if (call.target === server.name && server.registration.kind !== 'name' && !project.singleton(server)?.how.startsWith('named')) return false;
  return project.serializerNamed(call.target) === server;
}

export const selfCall: Rule = {
  meta: {
    id: 'self-call',
    title: 'A callback calls its own server',
    language: 'elixir',
    question: 'correctness',
    defaultSeverity: 'error',
    scope: 'syntax',
    description: 'A callback that calls its own server (directly or through a client function) asks for a reply only it could give: the call exits with :calling_self and crashes the server.',
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      for (const handler of server.handlers) {
        for (const reached of callsReachedFrom(server, handler, project)) {
          const { call } = reached;
          if (!call.serverCall || !addressesItself(server, call.serverCall, project)) continue;
          // Reported where the chain starts in the callback; analyzeFile keeps the first chain per place.
          const start = reached.chain[0] ?? call;
          const api = call.module === 'Agent' ? `Agent.${call.fn}` : `GenServer.${call.fn}`;
          report({
            range: start.range,
            serializer: server.name,
            message: `${server.name} calls itself from ${handler.name} (${describeChain(reached)}): ${api} asks this busy process for a reply only it could send, so the call exits with :calling_self and the server crashes. Call the function that does the work instead.`,
            related: [
              { uri: server.uri, range: handler.headRange, why: `runs inside ${server.name}`, code: handler.code },
              { uri: call.uri, range: call.range, why: `${api} to ${call.serverCall.target === 'self' ? 'self()' : call.serverCall.target}`, code: call.code },
            ],
          });
        }
      }
    }
  },
  fixes({ finding, file, refactor }) {
    const server = serverOf(finding, file);
    const caller = server?.handlers.find((h) => containsPosition(h.range, finding.range.start));
    return server && caller ? fixOf(refactor.callWorkDirectly(server, caller, finding.range), 'Call the function that does the work', 'refactor.rewrite') : [];
  },
};
