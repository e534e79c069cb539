// The end of the checklist: from the four answers — the analysis's, or the user's own in the checklist
// wizard — to what to do with the serializer, and which fixes and snippets carry that out. Pure data
// and one function, shared by the server (code lens, process map) and the VS Code client's wizard.
import type { Answer, QuestionId } from './checklist';
import type { Language } from './model';

export type Choice = 'keep' | 'in-caller' | 'plain-module' | 'shared-reads' | 'per-entity';

/** What the answers alone cannot tell: the shape of the state, and whether the work needs the server at all. */
export interface DecisionFacts {
  /** Callers' messages each touch one entry of a map picked by a key (user id, room id…). */
  keyedState: boolean;
  /** The callbacks do work that does not need the state: database queries, HTTP, sleeps, files. */
  workWithoutState: boolean;
  /** Already one process per entity (Registry name, started per entity, unnamed): not every caller's. */
  perEntity: boolean;
}

export interface ChoiceInfo {
  label: string;
  /** The label inside a sentence ("verdict: run it in the caller"). */
  phrase: string;
  detail: Record<Language, string>;
  /** Rules whose fixes carry out this choice. */
  rules: Record<Language, string[]>;
  /** Snippet names (keys of snippets/<language>.json) that show the alternative. */
  snippets: Record<Language, string[]>;
}

export const CHOICES: Record<Choice, ChoiceInfo> = {
  keep: {
    label: 'Keep the process',
    phrase: 'keep the process',
    detail: {
      elixir: 'It answers concurrency, lifecycle or communication — or it is already one process per entity: the process earns its place. Keep it supervised and keep slow work out of its callbacks.',
      typescript: 'It guards a real shared resource or lifecycle: keep it, with a bound and a timeout on waiting.',
    },
    rules: { elixir: ['unsupervised-start', 'self-call', 'repo-in-server', 'blocking-callback'], typescript: ['unbounded-serializer', 'nested-acquire', 'pool-behind-lock'] },
    snippets: { elixir: [], typescript: [] },
  },
  'in-caller': {
    label: 'Run it in the caller',
    phrase: 'run it in the caller',
    detail: {
      elixir: 'The callbacks query the database or call out without needing the state: run that work in the caller, where Ecto’s pool serves callers in parallel.',
      typescript: 'The section waits on a pooled resource it does not need to hold the lock for: call the pool directly and let it serve callers in parallel.',
    },
    rules: { elixir: ['repo-in-server', 'blocking-callback', 'hot-path-call'], typescript: ['pool-behind-lock', 'in-process-lock', 'hot-path-lock', 'single-worker'] },
    snippets: { elixir: ['Context module (plain functions calling Repo)', 'Task.Supervisor fan-out (async_stream_nolink)'], typescript: ['Bounded parallelism', 'Atomic update instead of a lock', 'Worker pool'] },
  },
  'plain-module': {
    label: 'A plain module',
    phrase: 'a plain module',
    detail: {
      elixir: 'It answers none of the four questions: turn it into a module of plain functions that run in the caller.',
      typescript: 'Nothing in the section needs exclusion: synchronous code is already atomic. Drop the lock.',
    },
    rules: { elixir: ['stateless-server', 'scattered-calls'], typescript: ['lock-without-await'] },
    snippets: { elixir: ['Context module (plain functions calling Repo)'], typescript: [] },
  },
  'shared-reads': {
    label: 'ETS / :persistent_term',
    phrase: 'ETS / :persistent_term',
    detail: {
      elixir: 'It only holds state that callers read far more than they change: a public ETS table with read_concurrency (or :persistent_term for config) serves reads in the caller.',
      typescript: 'Reads far outnumber writes: read without the lock (or with a read-write lock) and keep the lock for writes.',
    },
    rules: { elixir: ['global-state-server'], typescript: ['lock-for-reads'] },
    snippets: { elixir: ['ETS owner process (reads in the caller)', ':persistent_term configuration'], typescript: ['Single-flight refresh'] },
  },
  'per-entity': {
    label: 'One process per entity',
    phrase: 'one process per entity',
    detail: {
      elixir: 'Each message touches one key: one process per key (Registry + DynamicSupervisor) lets different keys run in parallel.',
      typescript: 'Each section touches one key: one lock per key lets different keys run in parallel.',
    },
    rules: { elixir: ['keyed-state-server'], typescript: ['global-lock-keyed-state'] },
    snippets: { elixir: ['Per-entity process (Registry + DynamicSupervisor)'], typescript: ['Per-key lock map'] },
  },
};

/**
 * The checklist's decision. A process that runs tasks concurrently, owns a lifecycle or talks to other
 * processes earns its place. Otherwise the first thing to fix is work its callbacks do without the
 * state (a query, an HTTP call): it belongs in the caller, whatever happens to the rest. A process that
 * then only holds shared state is kept as state, in the shape that lets callers run in parallel (it may
 * have that shape already: one process per entity). One that answers nothing should not be a process.
 * An unanswered question counts as no: the wizard asks the user to answer it.
 */
export function decide(answers: Partial<Record<QuestionId, Answer>>, facts: DecisionFacts): Choice {
  if (answers.concurrency === 'yes' || answers.lifecycle === 'yes' || answers.communication === 'yes') return 'keep';
  if (facts.workWithoutState) return 'in-caller';
  if (answers['shared-state'] === 'yes') return facts.perEntity ? 'keep' : facts.keyedState ? 'per-entity' : 'shared-reads';
  return 'plain-module';
}
