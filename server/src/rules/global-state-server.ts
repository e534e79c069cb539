// global-state-server: a singleton Agent/GenServer used as a global variable — its callers get and put
// the state as a whole, and read it far more often than they change it. Every read waits in one mailbox
// for data that :persistent_term or an ETS table with read_concurrency would hand out in parallel.
import { evaluate } from '../checklist';
import type { Caller } from '../model';
import { fixOf, serverOf } from './shared/fixes';
import type { Rule } from './types';
import { describeHandler, isKeyedState, stateHandlers } from './keyed-state-server';

/** "Far more": reads must outnumber writes at least this many times (counted at call sites, else callbacks). */
const READ_RATIO = 3;

export const globalStateServer: Rule = {
  meta: {
    id: 'global-state-server',
    title: 'A singleton used as a global variable',
    language: 'elixir',
    question: 'shared-state',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: 'A singleton Agent or GenServer used as a global variable (get/put of its whole state), read far more than written: every read waits in one mailbox.',
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (!project.singleton(server) || isKeyedState(server)) continue;
      const verdict = evaluate(server).verdict;
      if (verdict !== 'keep-shared-state' && verdict !== 'plain-module') continue;
      // Writes are every callback that changes the state: a trigger cast (`:bump`), a refresh timer, and a
      // callback that replaces the state without looking at it (`{:replace, new}` with `_old`).
      const served = server.handlers.filter((h) => h.kind !== 'init');
      const reads = stateHandlers(server).filter((h) => h.stateUse === 'read');
      const writes = served.filter((h) => h.stateUse === 'changed');
      if (reads.length === 0 || writes.some((h) => h.stateAccess === 'keyed')) continue;
      const callers = project.callers(server).filter((c: Caller) => c.role === 'app');
      const readSites = callers.filter((c) => c.op === 'read').length;
      const writeSites = callers.filter((c) => c.op === 'write').length;
      const counted = readSites + writeSites > 0;
      const [r, w] = counted ? [readSites, writeSites] : [reads.length, writes.length];
      if (r === 0 || r < READ_RATIO * w) continue; // with no writes at all, any read is of data set once
      const where = counted ? 'call sites' : 'callbacks';
      report({
        range: server.declaration,
        serializer: server.name,
        aboutServer: server,
        message: `${server.name} is a global variable behind one process: ${r} reading ${r === 1 ? where.slice(0, -1) : where} against ${w} writing, and every read waits in its mailbox. ${w === 0 ? 'Data set once belongs in :persistent_term' : 'Read-mostly data belongs in :persistent_term (rarely changed) or an ETS table with read_concurrency: true that the process owns'}, read directly by the callers.`,
        related: [...reads, ...writes].map((h) => ({ uri: server.uri, range: h.headRange, why: `${describeHandler(h)} ${h.stateUse === 'read' ? 'reads' : 'replaces'} the state`, code: h.code })),
      });
    }
  },
  fixes({ finding, file, refactor }) {
    const server = serverOf(finding, file);
    if (!server) return [];
    // Agents used as a variable: :persistent_term; GenServers: an ETS table the process owns, read by the callers.
    return server.kind === 'Agent'
      ? fixOf(refactor.toPersistentTerm(server), `Keep ${server.name}'s value in :persistent_term`, 'refactor.rewrite')
      : fixOf(refactor.readsFromEts(server), `Serve ${server.name}'s reads from an ETS table`, 'refactor.rewrite');
  },
};
