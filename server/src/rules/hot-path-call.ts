// hot-path-call: a web request (controller, LiveView, channel, plug) that waits on a singleton server.
// Phoenix runs every request in its own process; a call into one shared process makes them queue up
// again, one at a time, behind whatever that process is doing.
import { callsReachedFrom, callsReachedFromFunction, chainEvidence, describeChain, shortModule } from '../callgraph';
import { evaluate } from '../checklist';
import type { HandlerKind } from '../model';
import { isRepoCall } from './repo-in-server';
import { describeCallback, fixOf, isStateless } from './shared/fixes';
import type { Rule } from './types';

/** The Agent operation a handler made from an Agent function answers. */
function agentOp(kind: HandlerKind): string | undefined {
  return kind.startsWith('agent_') ? kind.slice('agent_'.length) : undefined;
}

const KIND: Record<string, string> = {
  controller: 'controller action', live_view: 'LiveView callback', live_component: 'LiveComponent callback',
  channel: 'channel callback', plug: 'plug', router: 'router', endpoint: 'endpoint', graphql: 'GraphQL schema',
};

export const hotPathCall: Rule = {
  meta: {
    id: 'hot-path-call',
    title: 'A web request waits on a singleton server',
    language: 'elixir',
    question: 'concurrency',
    defaultSeverity: 'warning',
    scope: 'workspace',
    description: 'A controller, LiveView, channel or plug that calls a singleton server on every request: requests that Phoenix runs in parallel queue up in one mailbox.',
  },
  check({ file, project, report }) {
    for (const module of file.modules) {
      if (!module.requestPath) continue;
      // Entry points are the public functions (actions, LiveView and channel callbacks, a plug's call/2);
      // private helpers are followed from them, so a wait is reported once, on the action's line.
      for (const clause of module.functions) {
        if (clause.visibility !== 'public') continue;
        for (const reached of callsReachedFromFunction(module, clause, project)) {
          const sc = reached.call.serverCall;
          if (!sc?.waits || reached.call.module === 'Kernel' || sc.op === 'stop') continue;
          const server = project.serializerNamed(sc.target);
          if (!server || server.name === module.name || !project.singleton(server)) continue;
          // A server that answers concurrency, lifecycle or communication is the design its author chose.
          // One that only holds state earns its place for the messages that change that state, unless
          // the callback does slow work; reads and stateless work are what the callers could do themselves.
          const checklist = evaluate(server);
          if (checklist.verdict === 'keep') continue;
          const handlers = server.handlers.filter((h) => h.servesCallers && (server.kind === 'Agent' ? agentOp(h.kind) === sc.op : sc.tag !== undefined && h.tag === sc.tag));
          const slow = handlers.flatMap((h) => callsReachedFrom(server, h, project)).find((r) => r.call.slow || isRepoCall(r.call, project));
          const writesOnly = handlers.length > 0 && handlers.every((h) => h.stateUse === 'changed');
          if (checklist.verdict === 'keep-shared-state' && writesOnly && !slow) continue;
          const first = reached.chain[0] ?? reached.call;
          const advice = slow ? `Inside it, ${describeChain(slow)} holds every other request until it finishes: run that work in the caller.`
            : checklist.verdict === 'plain-module' ? 'It answers none of the four checklist questions: make it a plain module and the work runs in each request, in parallel.'
            : checklist.verdict === 'keep-shared-state' ? 'This message only reads its state: ETS with read_concurrency or :persistent_term would answer every request at once.'
            : 'Walk the process checklist for it: if it needs no process, the work can run in each request.';
          report({
            range: first.range,
            serializer: server.name,
            message: `${shortModule(module.name)}.${clause.name}/${clause.arity} (a ${KIND[module.requestPath]}) waits on ${server.name} on every request (${describeChain(reached)}): requests that Phoenix runs in parallel queue up in its one mailbox. ${advice}`,
            related: [
              ...chainEvidence(reached, file.uri, `runs on every request to ${shortModule(module.name)}.${clause.name}/${clause.arity}`),
              { uri: reached.call.uri, range: reached.call.range, why: `${reached.call.module}.${reached.call.fn} waits for ${server.name}`, code: reached.call.code },
              { uri: server.uri, range: server.declaration, why: `${server.name}: ${checklist.summary}`, code: `use ${server.kind}` },
            ],
          });
        }
      }
    }
  },
  fixes({ finding, file, project, refactor }) {
    // The fix is in the server the request waits on: its work moves into the request.
    for (const module of file.modules) {
      for (const clause of module.functions) {
        for (const reached of callsReachedFromFunction(module, clause, project)) {
          const first = reached.chain[0] ?? reached.call;
          const server = reached.call.serverCall && project.serializerNamed(reached.call.serverCall.target);
          if (!server || server.name !== finding.serializer || first.range.start.line !== finding.range.start.line || first.range.start.character !== finding.range.start.character) continue;
          const tag = reached.call.serverCall!.tag;
          const handler = server.handlers.find((h) => (h.kind === 'handle_call' || h.kind === 'handle_cast') && h.tag === tag);
          if (handler && tag && isStateless(handler)) {
            const moved = fixOf(refactor.inlineHandlers(server, [tag]), `Run ${describeCallback(handler)} in the request: move it into ${server.name}'s client function`, 'refactor.rewrite');
            if (moved.length) return moved;
          }
          if (server.kind === 'Agent') return fixOf(refactor.toPersistentTerm(server), `Keep ${server.name}'s value in :persistent_term`, 'refactor.rewrite');
          return evaluate(server).verdict === 'plain-module' ? fixOf(refactor.toPlainModule(server), `Turn ${server.name} into a plain module`, 'refactor.rewrite') : [];
        }
      }
    }
    return [];
  },
};
