// Helpers the rules' fixes share: a refactoring as a Fix (or none when it cannot be done), and the
// server or callback a finding points at.
import type { Finding, Fix, FileModel, Handler, Refactoring, Serializer } from '../../model';
import { containsPosition } from '../../positions';

export function fixOf(result: Refactoring, title: string, kind: Fix['kind'], preferred = false): Fix[] {
  return 'reason' in result ? [] : [{ title: result.title ?? title, kind, preferred, edits: result.edits }];
}

export function serverOf(finding: Finding, file: FileModel): Serializer | undefined {
  return file.serializers.find((s) => s.name === finding.serializer);
}

/** The message callback whose clause holds the finding (the line of a query or of the first step towards it). */
export function handlerAt(server: Serializer, finding: Finding): Handler | undefined {
  return server.handlers.find((h) => (h.kind === 'handle_call' || h.kind === 'handle_cast') && containsPosition(h.range, finding.range.start));
}

/** Neither reads nor changes the state: its work can move to the caller as it is. */
export function isStateless(handler: Handler): boolean {
  return handler.stateUse === 'ignored' || handler.stateUse === 'unchanged';
}

export function describeCallback(handler: Handler): string {
  return handler.message ? `${handler.name}(${handler.message})` : handler.name;
}
