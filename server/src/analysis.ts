// Runs every enabled rule over one file's model: model -> findings. A rule that throws is logged once
// and the others still run.
import { shortModule } from './callgraph';
import type { Evidence, FileModel, Finding, ProjectContext, Serializer, Severity } from './model';
import { RULES } from './rules';
import type { Report, Rule } from './rules/types';
import { applySuppressions } from './suppressions';

export type RuleSetting = Exclude<Severity, 'hint'> | 'off';

export interface AnalysisOptions {
  /** Per-rule severity overrides (`chokepoint.rules.<id>`). */
  rules?: Record<string, RuleSetting | undefined>;
  log?: (message: string) => void;
}

const reportedFailures = new Set<string>();

export function analyzeFile(file: FileModel, project: ProjectContext, options: AnalysisOptions = {}, rules: readonly Rule[] = RULES): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (rule.meta.language !== file.language) continue;
    if (rule.meta.scope === 'workspace' && file.role !== 'app') continue; // tests and scripts: syntax-level rules only
    const setting = options.rules?.[rule.meta.id] ?? rule.meta.defaultSeverity;
    if (setting === 'off') continue;
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
    }
  }
  return applySuppressions(findings, file.suppressions).sort((a, b) =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId));
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
