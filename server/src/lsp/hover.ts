// Hover cards: the four checklist questions answered for one serializer, with the evidence lines.
import type { Hover, MarkupContent } from 'vscode-languageserver';
import { CHECKLIST_SOURCE, evaluate, type Answer } from '../checklist';
import { CHOICES } from '../decision';
import { choiceOf } from './process-map';
import { callersOf } from '../analysis';
import type { CallSite, FileModel, Finding, Position, ProjectContext, Serializer } from '../model';
import { containsPosition } from '../positions';
import { isNamedBy } from '../serializers';
import { escapeMarkdown, inlineCode } from './markdown';

const ANSWER: Record<Answer, string> = { yes: '✅ yes', no: '❌ no', unknown: '❔ cannot tell' };
/** The verdict as a sentence: the same decision as the code lens, the process map and the checklist wizard. */
function verdictOf(s: Serializer, findings: Finding[], project: ProjectContext): string {
  return CHOICES[choiceOf(s, project, findings)].phrase;
}
const MAX_EVIDENCE = 4;

function registrationLine(s: Serializer, project: ProjectContext): string {
  const r = s.registration;
  const singleton = project.singleton(s);
  if (singleton && r.kind !== 'name' && r.kind !== 'global') return `singleton, ${escapeMarkdown(singleton.how)}: every caller waits in one mailbox`;
  const as = r.text ? ` ${inlineCode(`name: ${r.text}`)}` : '';
  switch (r.kind) {
    case 'name': return `singleton, registered as${as}: every caller waits in one mailbox`;
    case 'global': return `cluster-wide singleton${as}: every caller on every node waits in one mailbox`;
    case 'via': return `one process per key${as}`;
    case 'dynamic': return `named at start-up${as}`;
    default: return 'not registered under a name';
  }
}

const TS_KIND: Record<string, string> = {
  Mutex: 'a mutex', Queue: 'a one-at-a-time queue', Limiter: 'a concurrency-1 limiter', PromiseChain: 'a promise chain', Worker: 'one worker',
};

function line(uri: string, pos: Position): string {
  // A file name is workspace data: a `)` or space in it would end the link and let the rest be read as markdown.
  const destination = uri.replace(/[()[\]<>\s\\`]/g, (c) => (c === '(' ? '%28' : c === ')' ? '%29' : encodeURIComponent(c)));
  return `[line ${pos.line + 1}](${destination}#L${pos.line + 1})`;
}

/** Where the server is started: the supervisors that list it, or that it was found in none. */
function supervisionLine(s: Serializer, project: ProjectContext): string {
  const { static: listed, dynamic } = project.supervision(s);
  if (listed.length === 0 && dynamic.length === 0) return 'Supervision: **not started by any supervisor in the workspace**';
  const parts = [
    ...listed.map((c) => `child of ${inlineCode(c.supervisor)} (${line(c.uri, c.range.start)})`),
    ...dynamic.map((c) => `started per entity with DynamicSupervisor.start_child in ${inlineCode(c.supervisor)} (${line(c.uri, c.range.start)})`),
  ];
  return `Supervision: ${parts.slice(0, 3).join('; ')}${parts.length > 3 ? `; … and ${parts.length - 3} more` : ''}`;
}

function callersLines(s: Serializer, project: ProjectContext): string[] {
  const { count, onRequestPaths, inTests, related } = callersOf(s, project);
  if (count === 0) return [`Callers: none in the workspace's application code${inTests ? ` (${inTests} in tests)` : ''}`];
  const out = [`Callers: **${count}** place${count === 1 ? '' : 's'}, **${onRequestPaths}** on request paths${inTests ? `, and ${inTests} in tests` : ''}`];
  for (const r of related.slice(0, MAX_EVIDENCE)) out.push(`    - ${line(r.uri, r.range.start)}: ${escapeMarkdown(r.why)} — ${inlineCode(r.code)}`);
  if (related.length > MAX_EVIDENCE || count > related.length) out.push(`    - … and ${count - Math.min(related.length, MAX_EVIDENCE)} more`);
  return out;
}

export function serializerCard(s: Serializer, findings: Finding[], project: ProjectContext): string {
  const checklist = evaluate(s);
  const out: string[] = [];
  out.push(s.language === 'typescript'
    ? `**${escapeMarkdown(s.registration.text)}** — ${TS_KIND[s.kind] ?? s.kind}, one for every caller of its module: each waits its turn`
    : `**${escapeMarkdown(s.name)}** — ${s.kind}, ${registrationLine(s, project)}`);
  out.push('');
  out.push(...callersLines(s, project));
  out.push('');
  out.push(supervisionLine(s, project));
  out.push('');
  const choice = choiceOf(s, project, findings);
  out.push(`**Process checklist: ${checklist.score}/4** · verdict: **${escapeMarkdown(verdictOf(s, findings, project))}**`);
  out.push('');
  for (const a of checklist.answers) {
    out.push(`${a.number}. ${escapeMarkdown(a.question)} — **${ANSWER[a.answer]}**`);
    for (const e of a.evidence.slice(0, MAX_EVIDENCE)) {
      out.push(`    - ${line(e.uri, e.range.start)}: ${escapeMarkdown(e.why)} — ${inlineCode(e.code)}`);
    }
    if (a.evidence.length > MAX_EVIDENCE) out.push(`    - … and ${a.evidence.length - MAX_EVIDENCE} more`);
  }
  out.push('');
  out.push(escapeMarkdown(`Why: ${checklist.summary}. ${CHOICES[choice].detail[s.language]}`));
  const mine = findings.filter((f) => f.serializer === s.name);
  if (mine.length) {
    const byRule = new Map<string, number>();
    for (const f of mine) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
    out.push('');
    out.push(`Findings: ${[...byRule].map(([id, n]) => `${inlineCode(id)} ×${n}`).join(', ')}`);
  }
  out.push('');
  out.push(`_Checklist from ${escapeMarkdown(CHECKLIST_SOURCE)}._`);
  return out.join('\n');
}

function callCard(call: CallSite, server: Serializer | undefined, findings: Finding[], project: ProjectContext): string {
  const sc = call.serverCall;
  let head: string;
  if (sc) {
    const api = call.module === 'Kernel' ? sc.op : `${call.module}.${call.fn}`;
    head = `${inlineCode(api)} ${sc.waits ? 'waits for' : 'sends to'} ${sc.target === 'self' ? 'this process itself' : inlineCode(sc.target)}`;
    if (!server) return `${head}. ${sc.target === 'dynamic' ? 'The server is chosen at run time.' : 'That server is not defined in the open files or the workspace.'}`;
  } else {
    head = `${inlineCode(`${call.module}.${call.fn}/${call.arity}`)} is a client function of ${inlineCode(server!.name)}: it sends the server a message`;
  }
  const verdict = verdictOf(server!, findings, project);
  return `${head}. It reaches ${inlineCode(server!.name)}, whose verdict is: **${escapeMarkdown(verdict)}**.\n\n---\n\n${serializerCard(server!, findings, project)}`;
}

export interface HoverLookup {
  project: ProjectContext;
  /** A serializer by its registered name or module name, across the workspace. */
  serializer(name: string): { serializer: Serializer; findings: Finding[] } | undefined;
}

export function hoverAt(model: FileModel, findings: Finding[], position: Position, lookup: HoverLookup): Hover | null {
  const { project } = lookup;
  for (const s of model.serializers) {
    for (const range of [s.declaration, s.nameRange]) {
      if (containsPosition(range, position)) return markdown(serializerCard(s, findings, project), range);
    }
  }
  for (const call of model.serverCalls) {
    if (!call.serverCall || !containsPosition(call.range, position)) continue;
    const enclosing = model.serializers.find((s) => containsPosition(s.moduleRange, call.range.start));
    const target = call.serverCall.target;
    const local = enclosing && (target === 'self' || isNamedBy(enclosing, target)) ? enclosing : model.serializers.find((s) => isNamedBy(s, target));
    const found = local ? { serializer: local, findings } : lookup.serializer(target);
    return markdown(callCard(call, found?.serializer, found?.findings ?? [], project), call.range);
  }
  // A call to a server's client function (`UserStore.get(id)`) from another module.
  for (const module of model.modules) {
    if (!containsPosition(module.range, position)) continue;
    for (const clause of module.functions) {
      if (!containsPosition(clause.range, position)) continue;
      for (const call of clause.calls) {
        if (!call.module || call.module === module.name || !containsPosition(call.range, position)) continue;
        const server = project.serializerNamed(call.module);
        if (!server || server.name !== call.module) continue;
        const isClient = project.callers(server).some((c) => c.site === call);
        if (!isClient) continue;
        const found = lookup.serializer(server.name);
        return markdown(callCard(call, server, found?.findings ?? [], project), call.range);
      }
    }
  }
  return null;
}

function markdown(value: string, range: Hover['range']): Hover {
  const contents: MarkupContent = { kind: 'markdown', value };
  return { contents, range };
}
