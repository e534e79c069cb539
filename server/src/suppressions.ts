// Suppression comments: `chokepoint-disable-next-line <ids>` and `chokepoint-disable-file <ids>`,
// optionally followed by `-- reason`. Front ends find the comments; this file reads them and applies them.
import type { Finding, Range, Suppression } from './model';

const DIRECTIVE = /^chokepoint-disable-(next-line|file)\b(.*)$/;

/** Reads one comment; `prefix` is the language's line-comment marker (`#`, `//`). */
export function parseSuppression(comment: string, prefix: string, range: Range): Suppression | undefined {
  if (!comment.startsWith(prefix)) return undefined;
  const body = comment.slice(prefix.length).trim();
  const match = DIRECTIVE.exec(body);
  if (!match) return undefined;
  const list = match[2].split('--')[0];
  const rules = list.split(/[\s,]+/).filter(Boolean);
  return { scope: match[1] === 'file' ? 'file' : 'next-line', rules, range, line: range.start.line + 1 };
}

function covers(suppression: Suppression, ruleId: string): boolean {
  return suppression.rules.length === 0 || suppression.rules.includes(ruleId);
}

/** Drops the findings a suppression silences; `used` gets every suppression that silenced one. */
export function applySuppressions(findings: Finding[], suppressions: Suppression[], used = new Set<Suppression>()): Finding[] {
  if (suppressions.length === 0) return findings;
  return findings.filter((finding) => {
    const silencers = suppressions.filter((s) => covers(s, finding.ruleId) && (s.scope === 'file' || s.line === finding.range.start.line));
    silencers.forEach((s) => used.add(s));
    return silencers.length === 0;
  });
}

/** The comment the quick fix inserts above a finding. */
export function suppressionComment(prefix: string, ruleId: string): string {
  return `${prefix} chokepoint-disable-next-line ${ruleId}`;
}
