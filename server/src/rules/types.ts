import type { QuestionId } from '../checklist';
import type { Evidence, FileModel, Finding, Language, ProjectContext, Range, Severity } from '../model';

export interface RuleMeta {
  id: string;
  title: string;
  language: Language;
  /** The checklist question the rule answers, 'all' when it fires because none is answered, or 'correctness' for bugs. */
  question: QuestionId | 'all' | 'correctness';
  defaultSeverity: Exclude<Severity, 'hint'>;
  /** One sentence: what the rule finds (SARIF shortDescription, settings description). */
  description: string;
}

export interface Report {
  range: Range;
  message: string;
  serializer?: string;
  related?: Evidence[];
  uri?: string;
}

export interface RuleContext {
  file: FileModel;
  project: ProjectContext;
  report(report: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}

export type { Finding };
