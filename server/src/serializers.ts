// Facts derived from a serializer's model that several layers need.
import { clausesReached } from './callgraph';
import type { CallSite, FunctionClause, Serializer } from './model';

/** The names a call can use to reach this server: its registered name (`Shop.Audit`, `:cache`, `{:global, :stock}`). */
export function addressableNames(server: Serializer): string[] {
  const { kind, name } = server.registration;
  if (!name) return [];
  return kind === 'global' ? [`{:global, ${name}}`] : [name];
}

/** A call's target (`Shop.Audit`, `{:global, :stock}`, or the module name for lookups) names this server. */
export function isNamedBy(server: Serializer, target: string): boolean {
  return target === server.name || addressableNames(server).includes(target);
}

/** Functions a server's module defines for OTP or for starting it, not for its callers. */
const NOT_CLIENT = new Set(['init', 'handle_call', 'handle_cast', 'handle_info', 'handle_continue', 'terminate', 'code_change', 'child_spec', 'start_link', 'start', 'stop']);

export interface ClientFunction {
  fn: FunctionClause;
  /** The GenServer/Agent calls it makes to its own server, itself or through helpers. */
  calls: CallSite[];
}

/** The server's client API: public functions that send it messages (`def get(id), do: GenServer.call(__MODULE__, {:get, id})`). */
export function clientFunctions(server: Serializer): ClientFunction[] {
  const out: ClientFunction[] = [];
  for (const fn of server.functions) {
    if (fn.visibility !== 'public' || NOT_CLIENT.has(fn.name)) continue;
    const calls = clausesReached([fn], server.name, server.functions).flatMap((c) => c.calls)
      .filter((c) => c.serverCall && c.module !== 'Kernel' && c.serverCall.op !== 'stop' && addressesOwnServer(server, c.serverCall.target));
    if (calls.length > 0) out.push({ fn, calls });
  }
  return out;
}

/** Inside its own module, `__MODULE__`, its registered name, `self()` or a pid it is given all mean the server. */
function addressesOwnServer(server: Serializer, target: string): boolean {
  return target === 'self' || target === 'dynamic' || isNamedBy(server, target);
}
