import type { QuestionId } from '../checklist';
import type { Evidence, FileModel, Finding, Fix, Language, ProjectContext, Range, Refactorings, Serializer, Severity } from '../model';

export interface RuleMeta {
  id: string;
  title: string;
  language: Language;
  /** The checklist question the rule answers, 'all' when it fires because none is answered, or 'correctness' for bugs. */
  question: QuestionId | 'all' | 'correctness';
  defaultSeverity: Exclude<Severity, 'hint'>;
  /**
   * 'syntax': needs only the file itself, so it also runs on tests and scripts. 'workspace': about how
   * application code is wired (callers, supervision, request paths), so it skips them.
   */
  scope: 'syntax' | 'workspace';
  /** One sentence: what the rule finds (SARIF shortDescription, settings description). */
  description: string;
}

export interface Report {
  range: Range;
  message: string;
  serializer?: string;
  /** The finding is about the server as a whole: its callers are added to the message and related information. */
  aboutServer?: Serializer;
  related?: Evidence[];
  uri?: string;
}

export interface RuleContext {
  file: FileModel;
  project: ProjectContext;
  report(report: Report): void;
}

export interface FixContext {
  finding: Finding;
  file: FileModel;
  project: ProjectContext;
  refactor: Refactorings;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
  /** The fixes for one of its findings, computed when the editor asks (refactorings re-read the files). */
  fixes?(context: FixContext): Fix[];
}

export type { Finding };
