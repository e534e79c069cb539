// The workspace's serializers as plain data for the editor: the process map (a tree view), the code
// lens above each serializer and the checklist wizard all read this, so they agree with the hover.
import type { CodeLens } from 'vscode-languageserver';
import { callersOf } from '../analysis';
import { evaluate, type Answer, type QuestionId } from '../checklist';
import { CHOICES, decide, type Choice, type DecisionFacts } from '../decision';
import type { Finding, ProjectContext, Serializer, SerializerKind } from '../model';
import { RUN_CHECKLIST_COMMAND, type SerializerInfo, type SerializerRef } from './protocol';

export { INDEX_CHANGED_NOTIFICATION, PROCESS_MAP_REQUEST, RUN_CHECKLIST_COMMAND, SERIALIZER_AT_REQUEST, type SerializerInfo, type SerializerRef } from './protocol';

const TS_KIND: Partial<Record<SerializerKind, string>> = {
  Mutex: 'module-level mutex', Queue: 'module-level one-at-a-time queue', Limiter: 'module-level concurrency-1 limiter',
  PromiseChain: 'module-level promise chain', Worker: 'one shared worker',
};

function registrationText(s: Serializer, project: ProjectContext): string {
  if (s.language === 'typescript') return TS_KIND[s.kind] ?? 'module-level serializer';
  const singleton = project.singleton(s);
  const r = s.registration;
  switch (r.kind) {
    case 'name': return `singleton, name: ${r.text}`;
    case 'global': return `cluster-wide singleton, name: ${r.text}`;
    case 'via': return `one process per key, name: ${r.text}`;
    case 'dynamic': return singleton ? `singleton, ${singleton.how}` : `named at start-up: ${r.text}`;
    default: return singleton ? `singleton, ${singleton.how}` : 'not registered under a name';
  }
}

/** The short form a code lens starts with. */
function registrationShort(info: SerializerInfo): string {
  if (info.language === 'typescript') return info.registration;
  if (info.singleton) return info.registration.startsWith('cluster') ? 'cluster-wide singleton' : 'singleton';
  return info.registration.startsWith('one process per key') ? 'one process per key' : 'not a singleton';
}

const IN_CALLER_RULES = new Set([...CHOICES['in-caller'].rules.elixir, ...CHOICES['in-caller'].rules.typescript].filter((id) => !id.startsWith('hot-path')));
const KEYED_RULES = new Set([...CHOICES['per-entity'].rules.elixir, ...CHOICES['per-entity'].rules.typescript]);

function callersSummary(s: Serializer, project: ProjectContext): SerializerInfo['callers'] {
  if (s.language === 'elixir') {
    const callers = callersOf(s, project);
    return { count: callers.count, onRequestPaths: callers.onRequestPaths, inTests: callers.inTests, shown: callers.related };
  }
  // A TypeScript lock is module state: what enters it are the sections of its own module.
  const sections = s.handlers.filter((h) => h.kind === 'section');
  return {
    count: sections.length,
    onRequestPaths: sections.filter((h) => project.onRequestPath(h)).length,
    inTests: 0,
    shown: sections.map((h) => ({ uri: s.uri, range: h.headRange, why: `enters ${s.registration.text}${h.awaits ? ' and waits while holding it' : ''}`, code: h.code })),
  };
}

/** What the decision needs beyond the four answers, from the server's model and its own findings. */
export function decisionFacts(s: Serializer, project: ProjectContext, mine: Finding[]): DecisionFacts {
  return {
    keyedState: s.handlers.some((h) => h.servesCallers && h.stateAccess === 'keyed') || mine.some((f) => KEYED_RULES.has(f.ruleId)),
    workWithoutState: mine.some((f) => IN_CALLER_RULES.has(f.ruleId)),
    perEntity: s.language === 'elixir' && !project.singleton(s),
  };
}

/** The verdict the hover, the lens and the map show: the checklist's answers decided with the facts. */
export function choiceOf(s: Serializer, project: ProjectContext, fileFindings: Finding[]): Choice {
  const answers = Object.fromEntries(evaluate(s).answers.map((a) => [a.id, a.answer])) as Record<QuestionId, Answer>;
  return decide(answers, decisionFacts(s, project, fileFindings.filter((f) => f.serializer === s.name && f.uri === s.uri)));
}

/** Everything the editor shows about one serializer; `findings` are those of the serializer's own file. */
export function describeSerializer(s: Serializer, project: ProjectContext, fileFindings: Finding[]): SerializerInfo {
  const checklist = evaluate(s);
  const mine = fileFindings.filter((f) => f.serializer === s.name && f.uri === s.uri);
  const facts = decisionFacts(s, project, mine);
  let supervision: SerializerInfo['supervision'] = null;
  if (s.language === 'elixir') {
    const { static: listed, dynamic } = project.supervision(s);
    const where = [...listed, ...dynamic].map((c) => ({
      uri: c.uri, range: c.range, code: c.code, why: c.dynamic ? `started per entity by ${c.supervisor}` : `child of ${c.supervisor}`,
    }));
    supervision = { supervised: where.length > 0, where };
  }
  const answers = Object.fromEntries(checklist.answers.map((a) => [a.id, a.answer])) as Record<QuestionId, Answer>;
  return {
    uri: s.uri,
    name: s.name,
    label: s.language === 'typescript' ? s.registration.text : s.name,
    language: s.language,
    kind: s.kind,
    range: s.language === 'typescript' ? s.declaration : s.nameRange,
    registration: registrationText(s, project),
    singleton: s.language === 'typescript' || !!project.singleton(s),
    callers: callersSummary(s, project),
    supervision,
    checklist: {
      score: checklist.score,
      verdict: checklist.verdict,
      summary: checklist.summary,
      answers: checklist.answers.map((a) => ({ id: a.id, number: a.number, question: a.question, answer: a.answer, evidence: a.evidence })),
    },
    facts,
    choice: decide(answers, facts),
    findings: mine.map((f) => ({ ruleId: f.ruleId, uri: f.uri, range: f.range, message: f.message, severity: f.severity })),
  };
}

/** `singleton · 14 callers (9 on request paths) · checklist 0/4`: the line above the serializer. */
export function lensTitle(info: SerializerInfo): string {
  const { count, onRequestPaths } = info.callers;
  const noun = info.language === 'typescript' ? 'critical section' : 'caller';
  const callers = `${count} ${noun}${count === 1 ? '' : 's'}${count ? ` (${onRequestPaths} on request path${onRequestPaths === 1 ? '' : 's'})` : ''}`;
  return `${registrationShort(info)} · ${callers} · checklist ${info.checklist.score}/4 · ${CHOICES[info.choice].phrase}`;
}

/**
 * Code lenses for the serializers of one file: the summary line, and "Run checklist" when the client
 * has that command (a lens whose command the client lacks would fail when clicked).
 */
export function codeLenses(infos: SerializerInfo[], withCommand: boolean): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const info of infos) {
    const range = { start: { line: info.range.start.line, character: 0 }, end: { line: info.range.start.line, character: 0 } };
    lenses.push({ range, command: { title: lensTitle(info), command: '' } });
    if (withCommand) {
      lenses.push({ range, command: { title: 'Run checklist', command: RUN_CHECKLIST_COMMAND, arguments: [{ uri: info.uri, name: info.name } satisfies SerializerRef] } });
    }
  }
  return lenses;
}
