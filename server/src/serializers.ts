// Facts derived from a serializer's model that several layers need.
import type { Serializer } from './model';

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
