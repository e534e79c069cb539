// keyed-state-server: a singleton whose state is a map keyed by user, room or order id, where each message
// touches one key. Callers about different keys share nothing, yet all wait in one mailbox.
import { evaluate } from '../checklist';
import type { Handler, Serializer } from '../model';
import { fixOf, serverOf } from './shared/fixes';
import type { Rule } from './types';

/** Callbacks that answer callers and touch the state. */
export function stateHandlers(server: Serializer): Handler[] {
  return server.handlers.filter((h) => h.servesCallers && h.kind !== 'init' && h.stateAccess !== 'none');
}

/**
 * Keyed per entity: every write picks one entry by the caller's key, at least two callbacks do, and at
 * most one callback looks at the whole map (a `count` or `list` read).
 */
export function isKeyedState(server: Serializer): boolean {
  const touching = stateHandlers(server);
  const keyed = touching.filter((h) => h.stateAccess === 'keyed');
  const whole = touching.filter((h) => h.stateAccess === 'whole');
  const writes = touching.filter((h) => h.stateUse === 'changed');
  return keyed.length >= 2 && writes.length > 0 && writes.every((h) => h.stateAccess === 'keyed')
    && whole.length <= 1 && whole.every((h) => h.stateUse !== 'changed');
}

/** How a callback shows in a message: `handle_call({:get, id})`, or the Agent call's line. */
export function describeHandler(h: Handler): string {
  return h.kind.startsWith('agent_') ? h.code : `${h.name}(${h.message})`;
}

export const keyedStateServer: Rule = {
  meta: {
    id: 'keyed-state-server',
    title: 'One process holds every entity’s state',
    language: 'elixir',
    question: 'shared-state',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: 'A singleton holding a map keyed by user, room or order id, each message touching one key: callers about different keys wait on each other for nothing.',
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (!project.singleton(server) || !isKeyedState(server)) continue;
      if (evaluate(server).verdict !== 'keep-shared-state') continue; // it does more than hold state
      const keyed = stateHandlers(server).filter((h) => h.stateAccess === 'keyed');
      report({
        range: server.declaration,
        serializer: server.name,
        aboutServer: server,
        message: `${server.name} keeps every entity's state in one map in one process: each message touches one key (${keyed.slice(0, 3).map(describeHandler).join(', ')}), yet callers about different keys wait on each other. One process per key (Registry + DynamicSupervisor) or an ETS table lets them run in parallel.`,
        related: keyed.map((h) => ({ uri: server.uri, range: h.headRange, why: `${describeHandler(h)} touches one key of the state`, code: h.code })),
      });
    }
  },
  fixes({ finding, file, refactor }) {
    const server = serverOf(finding, file);
    return server ? fixOf(refactor.perKeyProcesses(server), `Run one ${server.name} process per key`, 'refactor.rewrite') : [];
  },
};
