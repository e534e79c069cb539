// Runs every enabled rule over one file's model: model -> findings. A rule that throws is logged once
// and the others still run.
import type { FileModel, Finding, ProjectContext, Severity } from './model';
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
    const setting = options.rules?.[rule.meta.id] ?? rule.meta.defaultSeverity;
    if (setting === 'off') continue;
    const seen = new Set<string>();
    const report = (r: Report) => {
      const uri = r.uri ?? file.uri;
      const key = `${uri}:${r.range.start.line}:${r.range.start.character}`;
      if (seen.has(key)) return; // one finding per rule and place
      seen.add(key);
      findings.push({ ruleId: rule.meta.id, uri, range: r.range, message: r.message, severity: setting, serializer: r.serializer, related: r.related ?? [] });
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
