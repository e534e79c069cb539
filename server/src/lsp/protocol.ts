// The messages the VS Code client exchanges with the server beyond standard LSP, and their data.
// Type-only imports: the client bundles this file without pulling in the analysis.
import type { Answer, QuestionId, Verdict } from '../checklist';
import type { Choice, DecisionFacts } from '../decision';
import type { Evidence, Finding, Language, Range, SerializerKind } from '../model';

/** Requests and notifications the VS Code client uses beyond standard LSP. */
export const PROCESS_MAP_REQUEST = 'chokepoint/serializers';
export const SERIALIZER_AT_REQUEST = 'chokepoint/serializerAt';
export const INDEX_CHANGED_NOTIFICATION = 'chokepoint/indexChanged';
/** The client command a code lens and code action run (only offered to clients that say they have it). */
export const RUN_CHECKLIST_COMMAND = 'chokepoint.runChecklist';

export interface SerializerRef { uri: string; name: string }

export interface SerializerInfo extends SerializerRef {
  /** What the user calls it: the module (Elixir), or the lock's variable as written (TypeScript). */
  label: string;
  language: Language;
  kind: SerializerKind;
  /** The module name (Elixir) or the lock's declaration (TypeScript): where "reveal" goes. */
  range: Range;
  /** `singleton, registered as name: __MODULE__`, `one process per key`, `module-level mutex`… */
  registration: string;
  singleton: boolean;
  /** Elixir: calls into the server from other modules. TypeScript: the critical sections that enter it. */
  callers: { count: number; onRequestPaths: number; inTests: number; shown: Evidence[] };
  /** Elixir only: the supervisors that start it (empty and `supervised: false` when none does). */
  supervision: { supervised: boolean; where: Evidence[] } | null;
  checklist: {
    score: number;
    verdict: Verdict;
    summary: string;
    answers: { id: QuestionId; number: number; question: string; answer: Answer; evidence: Evidence[] }[];
  };
  facts: DecisionFacts;
  /** The decision the analysis's own answers lead to. */
  choice: Choice;
  findings: { ruleId: string; uri: string; range: Range; message: string; severity: Finding['severity'] }[];
}

