// unsupervised-start: a process started where nothing owns it. A server started with `start` (not linked)
// outlives whoever started it; anything started from a web request, or from an Application's start/2
// before its supervisor, is outside the supervision tree: nothing restarts it when it crashes and
// nothing stops it in order on shutdown.
//
// Not flagged: a linked start (`start_link`, `spawn_link`) from ordinary code — it belongs to the process
// that runs it; anything a server, LiveView or channel starts from its own callbacks (a process managing
// its helpers); a child's own start function; tests, scripts and mix tasks.
import { clausesReached, shortModule } from '../callgraph';
import type { CallSite, FileModel, FunctionClause, ModuleInfo, ProjectContext } from '../model';
import { containsPosition } from '../positions';
import { fixOf } from './shared/fixes';
import type { Rule } from './types';

/** Functions that exist to be called by a supervisor: a start call inside them is how a child starts. */
const CHILD_STARTERS = new Set(['start_link', 'start', 'child_spec', 'start_child', 'init']);
/** Long-lived processes whose callbacks own what they start. */
const PROCESS_REQUEST_PATHS = new Set(['live_view', 'live_component', 'channel']);

interface Start { what: string; linked: boolean; server: boolean }

function startOf(call: CallSite, module: ModuleInfo, project: ProjectContext): Start | undefined {
  if ((call.module === 'GenServer' || call.module === 'Agent') && (call.fn === 'start' || call.fn === 'start_link')) {
    return { what: `${call.module}.${call.fn}`, linked: call.fn === 'start_link', server: true };
  }
  if ((call.module === 'Kernel' && (call.fn === 'spawn' || call.fn === 'spawn_link')) || (call.module === 'Process' && call.fn === 'spawn')) {
    return { what: call.fn, linked: call.fn === 'spawn_link', server: false };
  }
  if (call.module && call.module !== module.name && (call.fn === 'start_link' || call.fn === 'start')) {
    const server = project.serializerNamed(call.module);
    if (server && server.name === call.module) return { what: `${shortModule(call.module)}.${call.fn}`, linked: call.fn === 'start_link', server: true };
  }
  return undefined;
}

/** Clauses that run inside a server process of this file: its callbacks and what they call in the module. */
function insideServers(file: FileModel): Set<FunctionClause> {
  const out = new Set<FunctionClause>();
  for (const server of file.serializers) for (const c of clausesReached(server.handlers, server.name, server.functions)) out.add(c);
  return out;
}

export const unsupervisedStart: Rule = {
  meta: {
    id: 'unsupervised-start',
    title: 'A process started outside a supervision tree',
    language: 'elixir',
    question: 'lifecycle',
    defaultSeverity: 'warning',
    scope: 'workspace',
    description: 'A server started with start (unlinked), or any process started from a web request or from Application.start/2 before the supervisor: nothing restarts it or stops it in order.',
  },
  check({ file, project, report }) {
    const serverClauses = insideServers(file);
    for (const module of file.modules) {
      if (module.uses.includes('Mix.Task')) continue; // a mix task is a script: it starts what it needs by hand
      const isProcess = PROCESS_REQUEST_PATHS.has(module.requestPath ?? '');
      for (const clause of module.functions) {
        const applicationStart = module.supervisor === 'application' && clause.name === 'start';
        // A server's or supervisor's own start function is how a supervisor starts it.
        const ownStart = CHILD_STARTERS.has(clause.name) && (module.supervisor !== undefined || file.serializers.some((s) => s.name === module.name));
        if (!applicationStart && ownStart) continue;
        if (serverClauses.has(clause)) continue;
        const onRequest = project.onRequestPath(clause);
        for (const call of clause.calls) {
          if (call.handedOff) continue;
          const start = startOf(call, module, project);
          if (!start) continue;
          let why: string | undefined;
          if (applicationStart) why = `in ${shortModule(module.name)}.start/2, outside the supervisor it starts`;
          else if (onRequest && !(start.linked && isProcess)) why = `on a web request (${shortModule(module.name)}.${clause.name}/${clause.arity})`;
          else if (start.server && !start.linked) why = `unlinked, in ${shortModule(module.name)}.${clause.name}/${clause.arity}: it outlives whoever started it`;
          if (!why) continue;
          report({
            range: call.range,
            message: `${start.what} starts ${start.server ? 'a server' : 'a process'} ${why}. Nothing supervises it: if it crashes nothing restarts it, and on shutdown nothing stops it in order. Add it to a supervisor's children, or start it with DynamicSupervisor.start_child or Task.Supervisor.`,
          });
        }
      }
    }
  },
  fixes({ finding, file, refactor }) {
    for (const module of file.modules) {
      const clause = module.functions.find((f) => containsPosition(f.range, finding.range.start));
      if (clause) return fixOf(refactor.superviseStart(finding.uri, finding.range, { module: module.name, function: clause.name }), 'Start it under a supervisor', 'refactor.rewrite');
    }
    return [];
  },
};
