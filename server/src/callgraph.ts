// Follows what a callback does through the functions of its own module (helpers and client functions).
// Work handed to another process is not followed: it does not run in the server.
import type { CallSite, Evidence, FunctionClause, Handler, Serializer } from './model';

export interface ReachedCall {
  handler: Handler;
  call: CallSite;
  /** The local calls that lead from the handler to the function holding `call` (empty when direct). */
  chain: CallSite[];
}

const MAX_DEPTH = 8;

export function callsReachedFrom(serializer: Serializer, handler: Handler): ReachedCall[] {
  const out: ReachedCall[] = [];
  walkReached(serializer.name, serializer.functions, handler, (_clause, call, chain) => out.push({ handler, call, chain }));
  return out;
}

/** The handler and every function of its module it reaches. */
export function clausesReachedFrom(serializer: Serializer, handler: Handler): FunctionClause[] {
  return clausesReached([handler], serializer.name, serializer.functions);
}

/**
 * The given clauses and every function of module `moduleName` they reach: what runs inside the server.
 * (The front end uses it while it builds a Serializer, before there is one to pass.)
 */
export function clausesReached(starts: FunctionClause[], moduleName: string, functions: FunctionClause[]): FunctionClause[] {
  const out = new Set<FunctionClause>(starts);
  for (const start of starts) walkReached(moduleName, functions, start, undefined, (clause) => out.add(clause));
  return [...out];
}

function walkReached(
  moduleName: string, functions: FunctionClause[], start: FunctionClause,
  onCall?: (clause: FunctionClause, call: CallSite, chain: CallSite[]) => void,
  onClause?: (clause: FunctionClause) => void,
): void {
  const visited = new Set<FunctionClause>();
  const walk = (clause: FunctionClause, chain: CallSite[]) => {
    for (const call of clause.calls) {
      if (call.handedOff) continue;
      onCall?.(clause, call, chain);
      if (call.module !== null && call.module !== moduleName) continue;
      if (chain.length >= MAX_DEPTH) continue;
      for (const target of functions) {
        if (target.name === call.fn && target.arity === call.arity && !visited.has(target)) {
          visited.add(target);
          onClause?.(target);
          walk(target, [...chain, call]);
        }
      }
    }
  };
  walk(start, []);
}

/** The handler callers wait on and each local call leading to the reached call, as related information. */
export function chainEvidence(reached: ReachedCall, uri: string): Evidence[] {
  return [
    { uri, range: reached.handler.headRange, why: `callers wait on ${reached.handler.name}`, code: reached.handler.code },
    ...reached.chain.map((step) => ({ uri: step.uri, range: step.range, why: `calls ${step.fn}/${step.arity}`, code: step.code })),
  ];
}

/** `handle_call({:search, q}) → search_db/1 → Repo.all`, for messages and related information. */
export function describeChain(reached: ReachedCall): string {
  const head = reached.handler.message ? `${reached.handler.name}(${reached.handler.message})` : reached.handler.name;
  const steps = reached.chain.map((c) => `${c.module ? `${c.module}.` : ''}${c.fn}/${c.arity}`);
  const last = `${reached.call.module ? `${shortModule(reached.call.module)}.` : ''}${reached.call.fn}`;
  return [head, ...steps, last].join(' → ');
}

export function shortModule(name: string): string {
  return name.split('.').pop() ?? name;
}
