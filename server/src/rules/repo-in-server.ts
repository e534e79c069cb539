// repo-in-server: a singleton's callbacks run Ecto Repo queries, so the connection pool serves one query at a time.
import { callsReachedFrom, chainEvidence, describeChain, placeInServer, shortModule, type ReachedCall } from '../callgraph';
import type { CallSite, ProjectContext } from '../model';
import { evaluate } from '../checklist';
import { describeCallback, fixOf, handlerAt, isStateless, serverOf } from './shared/fixes';
import type { Rule } from './types';

/** Functions of pooled database clients used without an Ecto repo (`Postgrex.query(MyApp.DB, …)`, `Redix.command(:redix, …)`). */
const POOLED_CLIENTS: Record<string, RegExp> = {
  Postgrex: /^(query|query!|prepare_execute|prepare_execute!|execute|execute!|transaction|stream|prepare|prepare!)$/,
  Redix: /^(command|command!|pipeline|pipeline!|noreply_command|noreply_pipeline|transaction_pipeline|transaction_pipeline!)$/,
  Mongo: /^(?!start_link$|child_spec$|object_id$|uuid$).+/,
  'Bolt.Sips': /^(query|query!|transaction)$/,
};

/** Repo functions that do not touch the database. */
const NOT_QUERIES = new Set(['config', '__adapter__', 'get_dynamic_repo', 'put_dynamic_repo', 'child_spec', 'start_link', 'stop', 'in_transaction?', 'checked_out?', 'default_options', 'prepare_query']);

/**
 * A call on a module that does `use Ecto.Repo` in the project, or on a `…Repo` module the project does
 * not define (a dependency's, or a file the index has not seen): a `…Repo` defined here without
 * `use Ecto.Repo` (an in-memory store) is not a database.
 */
export function isRepoCall(call: CallSite, project: ProjectContext): boolean {
  if (!call.module || NOT_QUERIES.has(call.fn)) return false;
  if (project.repoModules.has(call.module)) return true;
  if (POOLED_CLIENTS[call.module]?.test(call.fn)) return true;
  return /(^|\.)Repo$/.test(call.module) && !project.knownModules.has(call.module);
}

export const repoInServer: Rule = {
  meta: {
    id: 'repo-in-server',
    title: 'Database queries inside a singleton server',
    language: 'elixir',
    question: 'shared-state',
    defaultSeverity: 'warning',
    scope: 'syntax',
    description: "Ecto Repo calls inside a singleton's callbacks: the connection pool is reduced to one query at a time.",
  },
  check({ file, project, report }) {
    for (const server of file.serializers) {
      if (!project.singleton(server)) continue;
      const byLocation = new Map<string, ReachedCall>();
      for (const handler of server.handlers) {
        if (!handler.servesCallers) continue;
        for (const reached of callsReachedFrom(server, handler, project)) {
          if (!isRepoCall(reached.call, project)) continue;
          const key = `${reached.call.range.start.line}:${reached.call.range.start.character}`;
          if (!byLocation.has(key)) byLocation.set(key, reached);
        }
      }
      if (byLocation.size === 0) continue;
      const queries = [...byLocation.values()];
      report({
        range: server.declaration,
        serializer: server.name,
        aboutServer: server,
        message: `${server.name} serializes every database query through one process: Ecto's connection pool is reduced to one query at a time (${queries.length} ${queries.length === 1 ? 'query' : 'queries'} in its callbacks).`,
        related: queries.map((q) => ({ uri: q.call.uri, range: q.call.range, why: describeChain(q), code: q.call.code })),
      });
      for (const q of queries) {
        const query = `${shortModule(q.call.module!)}.${q.call.fn}`;
        report({
          range: placeInServer(server, q),
          serializer: server.name,
          message: `${query} runs inside ${server.name} (${describeChain(q)}): every caller waits while this query holds the only process. Run it in the caller, where the pool can serve many at once.`,
          related: chainEvidence(q, server.uri),
        });
      }
    }
  },
  fixes({ finding, file, project, refactor }) {
    const server = serverOf(finding, file);
    if (!server) return [];
    const fixes = [];
    const at = handlerAt(server, finding);
    // The callbacks whose queries can move: they neither keep nor read anything of the state.
    const movable = (at ? [at] : server.handlers.filter((h) => h.servesCallers && callsReachedFrom(server, h, project).some((r) => isRepoCall(r.call, project))))
      .filter((h) => isStateless(h) && h.tag);
    if (movable.length > 0) {
      const title = at ? `Run the query in the caller: move ${describeCallback(at)} into its client function` : `Run the queries in the callers: move ${movable.length} callback${movable.length === 1 ? '' : 's'} into their client functions`;
      fixes.push(...fixOf(refactor.inlineHandlers(server, [...new Set(movable.map((h) => h.tag!))]), title, 'refactor.rewrite'));
    }
    if (evaluate(server).verdict === 'plain-module') fixes.push(...fixOf(refactor.toPlainModule(server), `Turn ${server.name} into a plain module`, 'refactor.rewrite'));
    return fixes;
  },
};
