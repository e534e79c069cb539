// The four questions from Adopting Elixir (Marx, Valim, Tate): a process earns its place when it answers
// one of them. evaluate() answers them for one serializer from the facts its front end found.
// Hover cards, rules and the CLI use this; nothing else re-derives the answers.
import type { Evidence, Serializer, SignalKind } from './model';

export type Answer = 'yes' | 'no' | 'unknown';
export type QuestionId = 'shared-state' | 'concurrency' | 'lifecycle' | 'communication';

export interface QuestionAnswer {
  id: QuestionId;
  number: 1 | 2 | 3 | 4;
  question: string;
  answer: Answer;
  evidence: Evidence[];
}

export type Verdict = 'keep' | 'keep-shared-state' | 'plain-module' | 'undecided';

export interface ChecklistResult {
  answers: QuestionAnswer[];
  /** How many questions are answered yes. */
  score: number;
  verdict: Verdict;
  summary: string;
}

export const CHECKLIST_SOURCE = 'Adopting Elixir (Ben Marx, José Valim, Bruce Tate), “When to use processes”';

export const QUESTIONS: { id: QuestionId; number: 1 | 2 | 3 | 4; question: string; signals: SignalKind[] }[] = [
  { id: 'shared-state', number: 1, question: 'Shared state: does it keep state that several callers read and change?', signals: ['state-changed'] },
  { id: 'concurrency', number: 2, question: 'Concurrency: does it run several tasks at once?', signals: ['spawns-work', 'deferred-reply', 'batches-callers'] },
  { id: 'lifecycle', number: 3, question: 'Lifecycle: does it own a clean start-up and exit?', signals: ['continue', 'terminate', 'traps-exits', 'timer', 'owns-resource'] },
  { id: 'communication', number: 4, question: 'Communication: does it talk to other servers or processes?', signals: ['monitors', 'sends', 'pubsub', 'distributed', 'calls-other-server', 'handles-down', 'socket-io'] },
];

const cache = new WeakMap<Serializer, ChecklistResult>();

export function evaluate(serializer: Serializer): ChecklistResult {
  const cached = cache.get(serializer);
  if (cached) return cached;
  const answers = QUESTIONS.map((q): QuestionAnswer => {
    const evidence = serializer.signals
      .filter((s) => q.signals.includes(s.kind))
      .map((s) => ({ uri: serializer.uri, range: s.range, why: s.why, code: s.code }));
    let answer: Answer = evidence.length > 0 ? 'yes' : 'no';
    if (q.id === 'shared-state' && answer === 'no') {
      // Without a changed state, say why: which callbacks only read it, or that we could not tell.
      const served = serializer.handlers.filter((h) => h.kind === 'handle_call' || h.kind === 'handle_cast' || h.kind === 'handle_info' || h.kind.startsWith('agent_'));
      if (served.some((h) => h.stateUse === 'unknown')) answer = 'unknown';
      for (const h of served) {
        const why = h.stateUse === 'read' ? 'reads the state but never changes it'
          : h.stateUse === 'unknown' ? 'returns a state that could not be followed'
          : h.stateUse === 'ignored' ? 'ignores the state' : 'returns the state unchanged';
        evidence.push({ uri: serializer.uri, range: h.headRange, why: `${h.name}(${h.message}) ${why}`, code: h.code });
      }
    }
    evidence.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return { id: q.id, number: q.number, question: q.question, answer, evidence };
  });
  const score = answers.filter((a) => a.answer === 'yes').length;
  const [shared, ...others] = answers;
  let verdict: Verdict;
  let summary: string;
  if (others.some((a) => a.answer === 'yes')) {
    verdict = 'keep';
    summary = `the process earns its place: it answers ${answers.filter((a) => a.answer === 'yes').map((a) => a.id.replace('-', ' ')).join(', ')}`;
  } else if (shared.answer === 'yes') {
    verdict = 'keep-shared-state';
    summary = 'it only holds shared state: if it is read far more than written, or keyed per entity, ETS, :persistent_term or one process per entity serve callers in parallel';
  } else if (shared.answer === 'unknown') {
    verdict = 'undecided';
    summary = 'no concurrency, lifecycle or communication; whether it keeps shared state could not be decided from the code';
  } else {
    verdict = 'plain-module';
    summary = 'it answers none of the four questions: a bottleneck with no benefit — a plain module does the same work in the caller, in parallel';
  }
  const result: ChecklistResult = { answers, score, verdict, summary };
  cache.set(serializer, result);
  return result;
}

