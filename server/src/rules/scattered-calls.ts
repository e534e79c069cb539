// scattered-calls: GenServer.call/cast or Agent.* on another module's server, instead of its client API.
// The message format then lives in every caller: a change to it breaks them at run time, not at compile
// time, and nobody can see in one place what the server is asked to do.
//
// Raw calls from one single module are that module being the client API (a `MyApp.GitHub` facade over
// `MyApp.GitHub.Server`): flagged only when the server has its own client function for the message, or
// when raw calls come from two modules or more.
import { shortModule } from '../callgraph';
import type { CallSite, ProjectContext, Serializer } from '../model';
import { clientFunctions } from '../serializers';
import { fixOf } from './shared/fixes';
import type { Rule } from './types';

/**
 * The server's own function that sends the same message (same operation and tag): the one named like the
 * tag (`get/1` for `{:get, id}`) when several do (`get!/1` calling `get/1`), else the first.
 */
function matchingClient(server: Serializer, call: CallSite): string | undefined {
  const sc = call.serverCall!;
  const matches = clientFunctions(server).filter(({ calls }) => calls.some((c) => c.fn === call.fn && c.serverCall!.op === sc.op && (server.kind === 'Agent' || (!!sc.tag && c.serverCall!.tag === sc.tag))));
  const best = matches.find((m) => m.fn.name === sc.tag) ?? matches[0];
  return best ? `${server.name}.${best.fn.name}/${best.fn.arity}` : undefined;
}

/** Modules outside the server that send it raw GenServer/Agent messages (application code only). */
function rawCallers(server: Serializer, project: ProjectContext): Set<string> {
  return new Set(project.callers(server).filter((c) => c.site.serverCall && c.role === 'app').map((c) => c.module));
}

export const scatteredCalls: Rule = {
  meta: {
    id: 'scattered-calls',
    title: "Raw calls to another module's server",
    language: 'elixir',
    question: 'communication',
    defaultSeverity: 'warning',
    scope: 'workspace',
    description: "GenServer.call/cast or Agent functions on another module's server, instead of its client API: the message format leaks into every caller.",
  },
  check({ file, project, report }) {
    for (const module of file.modules) {
      for (const clause of module.functions) {
        for (const call of clause.calls) {
          const sc = call.serverCall;
          if (!sc || call.module === 'Kernel' || sc.op === 'stop') continue;
          const server = project.serializerNamed(sc.target);
          if (!server || server.name === module.name) continue;
          const api = `${call.module}.${call.fn}`;
          const client = matchingClient(server, call);
          const modules = rawCallers(server, project);
          if (!client && modules.size < 2) continue;
          report({
            range: call.range,
            serializer: server.name,
            message: `${api} on ${server.name} from ${shortModule(module.name)}.${clause.name}/${clause.arity} goes around the server's client API: its message format now lives in every caller, and a change to it breaks them at run time. ${client ? `Call ${client} instead.` : `${modules.size} modules send it raw messages: give ${server.name} client functions and call those.`}`,
            related: [{ uri: server.uri, range: server.nameRange, why: `${server.name} is defined here`, code: `defmodule ${server.name}` }],
          });
        }
      }
    }
  },
  fixes({ finding, project, refactor }) {
    const server = finding.serializer ? project.serializerNamed(finding.serializer) : undefined;
    if (!server) return [];
    const result = refactor.useClientFunction(finding.uri, finding.range, server);
    // Calling an existing function is a small, safe edit; adding one to the server is a refactoring.
    const adds = 'edits' in result && result.edits.some((e) => e.uri !== finding.uri);
    return fixOf(result, `Call ${server.name}'s client function instead`, adds ? 'refactor.rewrite' : 'quickfix', !adds);
  },
};
