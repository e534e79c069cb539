// Follows what code does through the functions it calls: helpers and client functions of its own module,
// imported functions, and public functions of other modules in the workspace, to MAX_DEPTH calls with
// cycles cut. Work handed to another process (Task.start, Task.Supervisor, spawn) is not followed: it
// does not run in the caller.
import type { CallSite, Evidence, FunctionClause, Handler, ModuleInfo, ProjectContext, Range, Serializer } from './model';
import { containsPosition } from './positions';

export interface ReachedCall {
  /** The clause the walk started from (a server's callback, a controller action). */
  start: FunctionClause;
  call: CallSite;
  /** The calls that lead from the start to the function holding `call` (empty when direct). */
  chain: CallSite[];
}

const MAX_DEPTH = 8;

/** Where a walk can find functions: the module it is in, and the workspace for everything else. */
interface Scope {
  module: string;
  functions: FunctionClause[];
  imports: string[];
}

/** Only what the walk needs from the project: modules by name. */
type Modules = Pick<ProjectContext, 'module'> | undefined;

function scopeOf(module: ModuleInfo): Scope {
  return { module: module.name, functions: module.functions, imports: module.imports };
}

/** The clauses a call can run, with the scope they run in. Only public functions are reachable from outside. */
function targetsOf(call: CallSite, scope: Scope, modules: Modules): { clause: FunctionClause; scope: Scope }[] {
  const matching = (fns: FunctionClause[], publicOnly: boolean) =>
    fns.filter((f) => f.name === call.fn && callableWith(f, call.arity) && (!publicOnly || f.visibility === 'public'));
  if (call.module === null || call.module === scope.module) {
    const local = matching(scope.functions, false);
    if (local.length > 0 || call.module !== null) return local.map((clause) => ({ clause, scope }));
    for (const imported of scope.imports) {
      const module = modules?.module(imported);
      const found = module ? matching(module.functions, true) : [];
      if (found.length > 0) return found.map((clause) => ({ clause, scope: scopeOf(module!) }));
    }
    return [];
  }
  const module = modules?.module(call.module);
  return module ? matching(module.functions, true).map((clause) => ({ clause, scope: scopeOf(module) })) : [];
}

/** The function accepts that many arguments (parameters with defaults may be left out). */
export function callableWith(fn: FunctionClause, arity: number): boolean {
  return arity <= fn.arity && arity >= (fn.minArity ?? fn.arity);
}

function walk(
  start: FunctionClause, scope: Scope, modules: Modules,
  onCall?: (call: CallSite, chain: CallSite[]) => void,
  onClause?: (clause: FunctionClause) => void,
  visited = new Set<FunctionClause>([start]),
): void {
  const visit = (clause: FunctionClause, at: Scope, chain: CallSite[]) => {
    for (const call of clause.calls) {
      if (call.handedOff) continue;
      onCall?.(call, chain);
      if (chain.length >= MAX_DEPTH || call.module === 'Kernel') continue;
      // A call reaches every clause of the function: all are marked first, so a clause calling its own
      // function (recursion, or clauses that delegate to each other) does not lengthen the chain.
      const fresh = targetsOf(call, at, modules).filter((t) => !visited.has(t.clause));
      for (const target of fresh) visited.add(target.clause);
      for (const target of fresh) {
        onClause?.(target.clause);
        visit(target.clause, target.scope, [...chain, call]);
      }
    }
  };
  visit(start, scope, []);
}

function serverScope(server: Serializer, modules: Modules): Scope {
  const module = modules?.module(server.name);
  return module ? scopeOf(module) : { module: server.name, functions: server.functions, imports: [] };
}

/** Every call a server's callback makes, itself or through the functions it calls. */
export function callsReachedFrom(server: Serializer, handler: Handler, modules?: Modules): ReachedCall[] {
  return callsReachedFromClause(handler, serverScope(server, modules), modules);
}

/** Every call a function of `module` makes, itself or through the functions it calls. */
export function callsReachedFromFunction(module: ModuleInfo, clause: FunctionClause, modules: Modules): ReachedCall[] {
  return callsReachedFromClause(clause, scopeOf(module), modules);
}

function callsReachedFromClause(start: FunctionClause, scope: Scope, modules: Modules): ReachedCall[] {
  const out: ReachedCall[] = [];
  walk(start, scope, modules, (call, chain) => out.push({ start, call, chain }));
  return out;
}

/** The handler and every function it reaches. */
export function clausesReachedFrom(server: Serializer, handler: Handler, modules?: Modules): FunctionClause[] {
  const out = new Set<FunctionClause>([handler]);
  walk(handler, serverScope(server, modules), modules, undefined, (clause) => out.add(clause));
  return [...out];
}

/**
 * The given clauses and every function of module `moduleName` they reach: what runs inside the server.
 * (The front end uses it while it builds a Serializer, before there is a project.)
 */
export function clausesReached(starts: FunctionClause[], moduleName: string, functions: FunctionClause[]): FunctionClause[] {
  const out = new Set<FunctionClause>(starts);
  const scope = { module: moduleName, functions, imports: [] };
  for (const start of starts) walk(start, scope, undefined, undefined, (clause) => out.add(clause));
  return [...out];
}

/** Every clause reachable from the functions of the given modules, across the workspace (one shared walk). */
export function clausesReachedFromModules(starts: ModuleInfo[], modules: Modules): Set<FunctionClause> {
  const visited = new Set<FunctionClause>();
  for (const module of starts) {
    for (const clause of module.functions) {
      if (visited.has(clause)) continue;
      visited.add(clause);
      walk(clause, scopeOf(module), modules, undefined, undefined, visited);
    }
  }
  return visited;
}

/** The clause the chain starts in and each call leading to the reached call, as related information. */
export function chainEvidence(reached: ReachedCall, startUri: string, why = `callers wait on ${reached.start.name}`): Evidence[] {
  return [
    { uri: startUri, range: reached.start.headRange, why, code: reached.start.code },
    ...reached.chain.map((step) => ({ uri: step.uri, range: step.range, why: `calls ${callName(step)}`, code: step.code })),
  ];
}

function callName(call: CallSite): string {
  // A TypeScript call already names its receiver (`orders.place`): no module prefix.
  const prefix = call.module && call.module !== 'Kernel' && !(call.module.includes('/') && call.fn.includes('.')) ? `${shortModule(call.module)}.` : '';
  return `${prefix}${call.fn}/${call.arity}`;
}

/** `handle_call({:search, q}) → Listings.search/1 → Repo.all`, for messages and related information. */
export function describeChain(reached: ReachedCall): string {
  const start = reached.start as Partial<Handler> & FunctionClause;
  const head = start.kind && start.message ? `${start.name}(${start.message})` : start.kind || start.name.includes('(') ? start.name : `${start.name}/${start.arity}`;
  const last = `${reached.call.module && reached.call.module !== 'Kernel' ? `${shortModule(reached.call.module)}.` : ''}${reached.call.fn}`;
  return [head, ...reached.chain.map(callName), last].join(' → ');
}

/**
 * Where a finding about a reached call goes: on the call when it is in the server's module, else on the
 * callback's first step towards it (the chain, as related information, shows the rest).
 */
export function placeInServer(server: Serializer, reached: ReachedCall): Range {
  const { call } = reached;
  const inModule = call.uri === server.uri && containsPosition(server.moduleRange, call.range.start);
  return inModule || reached.chain.length === 0 ? call.range : reached.chain[0].range;
}

export function shortModule(name: string): string {
  // TypeScript modules are named by path: their file name.
  if (name.includes('/')) return name.slice(name.lastIndexOf('/') + 1);
  return name.split('.').pop() ?? name;
}
