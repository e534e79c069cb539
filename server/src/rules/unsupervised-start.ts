// unsupervised-start: a process started by hand in application code, outside any supervision tree.
// Nothing restarts it when it crashes, nothing stops it in order on shutdown, and a name it registers
// is taken until it dies.
import { shortModule } from '../callgraph';
import type { CallSite, ModuleInfo, ProjectContext } from '../model';
import type { Rule } from './types';

/** Functions that exist to be called by a supervisor: a start call inside them is how a child starts. */
const CHILD_STARTERS = new Set(['start_link', 'start', 'child_spec', 'start_child']);

function startedProcess(call: CallSite, module: ModuleInfo, project: ProjectContext): string | undefined {
  if ((call.module === 'GenServer' || call.module === 'Agent') && (call.fn === 'start' || call.fn === 'start_link')) return `${call.module}.${call.fn}`;
  if ((call.module === 'Kernel' && (call.fn === 'spawn' || call.fn === 'spawn_link')) || (call.module === 'Process' && call.fn === 'spawn')) return call.fn;
  if (call.module && call.module !== module.name && (call.fn === 'start_link' || call.fn === 'start')) {
    const server = project.serializerNamed(call.module);
    if (server && server.name === call.module) return `${call.module}.${call.fn}`;
  }
  return undefined;
}

export const unsupervisedStart: Rule = {
  meta: {
    id: 'unsupervised-start',
    title: 'A process started outside a supervision tree',
    language: 'elixir',
    question: 'lifecycle',
    defaultSeverity: 'warning',
    scope: 'workspace',
    description: 'GenServer.start*/Agent.start*/spawn in application code outside a supervision tree: nothing restarts the process when it crashes or stops it on shutdown.',
  },
  check({ file, project, report }) {
    for (const module of file.modules) {
      if (module.uses.includes('Mix.Task')) continue; // a mix task is a script: it starts what it needs by hand
      for (const clause of module.functions) {
        // An Application's start/2 is not a child's start function: what it starts before Supervisor.start_link is unsupervised.
        const starter = CHILD_STARTERS.has(clause.name) && !(module.supervisor === 'application' && clause.name === 'start');
        if (starter) continue;
        for (const call of clause.calls) {
          if (call.handedOff) continue;
          const started = startedProcess(call, module, project);
          if (!started) continue;
          const what = started.startsWith('spawn') ? 'a process' : call.module === 'GenServer' || call.module === 'Agent' ? `a${call.module === 'Agent' ? 'n Agent' : ' GenServer'}` : shortModule(call.module!);
          report({
            range: call.range,
            message: `${started} in ${shortModule(module.name)}.${clause.name}/${clause.arity} starts ${what} outside any supervision tree: if it crashes nothing restarts it, and on shutdown nothing stops it in order. Add it to a supervisor's children, or start it with DynamicSupervisor.start_child or Task.Supervisor.`,
          });
        }
      }
    }
  },
};
