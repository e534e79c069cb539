// Runs every enabled rule over one file's model: model -> findings. A rule that throws is logged once
// and the others still run.
import { shortModule } from './callgraph';
import type { Evidence, FileModel, Finding, ProjectContext, Serializer, Severity, Suppression } from './model';
import { RULES } from './rules';
import type { Report, Rule } from './rules/types';
import { applySuppressions } from './suppressions';
import { type Budget, outOfTime } from './budget';

export type RuleSetting = Exclude<Severity, 'hint'> | 'off';

export interface AnalysisOptions {
  /** Per-rule severity overrides (`chokepoint.rules.<id>`). */
  rules?: Record<string, RuleSetting | undefined>;
  log?: (message: string) => void;
  /** Add an information finding (`unused-suppression`) for each suppression comment that silences nothing. */
  reportUnusedSuppressions?: boolean;
  /** When it runs out, the remaining rules are not run, and `onOutOfTime` is told which. */
  budget?: Budget;
  onOutOfTime?: (skippedRules: string[], budget: Budget) => void;
}

/** The id of the information findings about suppression comments that silence nothing. */
export const UNUSED_SUPPRESSION = 'unused-suppression';

const reportedFailures = new Set<string>();

export function analyzeFile(file: FileModel, project: ProjectContext, options: AnalysisOptions = {}, rules: readonly Rule[] = RULES): Finding[] {
  const findings: Finding[] = [];
  const ran = new Set<string>();
  const skipped: string[] = [];
  for (const rule of rules) {
    if (rule.meta.language !== file.language) continue;
    if (rule.meta.scope === 'workspace' && file.role !== 'app') continue; // tests and scripts: syntax-level rules only
    const setting = options.rules?.[rule.meta.id] ?? rule.meta.defaultSeverity;
    if (setting === 'off') continue;
    if (outOfTime(options.budget)) {
      skipped.push(rule.meta.id);
      continue;
    }
    ran.add(rule.meta.id);
    const seen = new Set<string>();
    const report = (r: Report) => {
      const uri = r.uri ?? file.uri;
      const key = `${uri}:${r.range.start.line}:${r.range.start.character}`;
      if (seen.has(key)) return; // one finding per rule and place
      seen.add(key);
      let { message, related = [] } = r;
      if (r.aboutServer) {
        const callers = callersOf(r.aboutServer, project);
        if (callers.summary) message = `${message} ${callers.summary}`;
        related = [...related, ...callers.related];
      }
      findings.push({ ruleId: rule.meta.id, uri, range: r.range, message, severity: setting, serializer: r.serializer, related });
    };
    try {
      rule.check({ file, project, report });
    } catch (error) {
      const key = `${rule.meta.id}:${String(error)}`;
      if (!reportedFailures.has(key)) {
        reportedFailures.add(key);
        options.log?.(`rule ${rule.meta.id} failed on ${file.uri}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      }
      ran.delete(rule.meta.id); // it did not finish: its suppressions cannot be judged
    }
  }
  if (skipped.length > 0) options.onOutOfTime?.(skipped, options.budget!);
  const used = new Set<Suppression>();
  const kept = applySuppressions(findings, file.suppressions, used);
  if (options.reportUnusedSuppressions) kept.push(...unusedSuppressions(file, used, ran, rules));
  return kept.sort((a, b) =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId));
}

/**
 * Suppression comments that silence nothing, as information findings: an unknown rule id, or rules that
 * ran and found nothing where the comment points. A rule that did not run (off, or not for this file) is
 * not judged.
 */
function unusedSuppressions(file: FileModel, used: Set<Suppression>, ran: Set<string>, rules: readonly Rule[]): Finding[] {
  const out: Finding[] = [];
  const known = new Set(rules.map((r) => r.meta.id));
  for (const s of file.suppressions) {
    const unknown = s.rules.filter((id) => !known.has(id));
    const where = s.scope === 'file' ? 'in this file' : 'on the next line';
    let message: string | undefined;
    if (unknown.length > 0) message = `Unknown Chokepoint rule ${unknown.map((id) => `"${id}"`).join(', ')} in this suppression comment.`;
    else if (!used.has(s) && (s.rules.length === 0 ? ran.size > 0 : s.rules.every((id) => ran.has(id)))) {
      message = `Unused suppression: ${s.rules.length ? s.rules.join(', ') : 'no rule'} reports nothing ${where}. Remove the comment.`;
    }
    if (message) out.push({ ruleId: UNUSED_SUPPRESSION, uri: file.uri, range: s.range, message, severity: 'info', related: [] });
  }
  return out;
}

const MAX_CALLERS_SHOWN = 10;

/** "Called from 14 places, 9 on request paths." and the callers as related information, request paths first. */
export function callersOf(server: Serializer, project: ProjectContext): { summary: string; related: Evidence[]; count: number; onRequestPaths: number; inTests: number } {
  const all = project.callers(server);
  const app = all.filter((c) => c.role === 'app' || c.role === 'script');
  const onRequestPaths = app.filter((c) => c.requestPath).length;
  const inTests = all.length - app.length;
  const places = (n: number) => `${n} place${n === 1 ? '' : 's'}`;
  const summary = app.length === 0 ? ''
    : `Called from ${places(app.length)}${onRequestPaths ? `, ${onRequestPaths} on request paths` : ''}${inTests ? ` (and ${inTests} in tests)` : ''}.`;
  const related = [...app].sort((a, b) => Number(b.requestPath) - Number(a.requestPath)).slice(0, MAX_CALLERS_SHOWN).map((c) => ({
    uri: c.site.uri,
    range: c.site.range,
    why: `${c.requestPath ? 'called on a request path' : 'called'} from ${shortModule(c.module)}.${c.clause.name}/${c.clause.arity} via ${c.via}`,
    code: c.site.code,
  }));
  return { summary, related, count: app.length, onRequestPaths, inTests };
}
