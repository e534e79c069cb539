// Hover cards: the four checklist questions answered for one serializer, with the evidence lines.
import type { Hover, MarkupContent } from 'vscode-languageserver';
import { CHECKLIST_SOURCE, evaluate, type Answer, type Verdict } from '../checklist';
import type { CallSite, FileModel, Finding, Position, Serializer } from '../model';
import { containsPosition } from '../positions';
import { isNamedBy } from '../serializers';
import { escapeMarkdown, inlineCode } from './markdown';

const ANSWER: Record<Answer, string> = { yes: '✅ yes', no: '❌ no', unknown: '❔ cannot tell' };
const VERDICT: Record<Verdict, string> = {
  keep: 'keep the process',
  'keep-shared-state': 'keep it only for its shared state — consider ETS, :persistent_term or one process per entity',
  'plain-module': 'a plain module — run the work in the caller',
  undecided: 'undecided — walk the checklist',
};
const MAX_EVIDENCE = 4;

function registrationLine(s: Serializer): string {
  const r = s.registration;
  const as = r.text ? ` ${inlineCode(`name: ${r.text}`)}` : '';
  switch (r.kind) {
    case 'name': return `singleton, registered as${as}: every caller waits in one mailbox`;
    case 'global': return `cluster-wide singleton${as}: every caller on every node waits in one mailbox`;
    case 'via': return `one process per key${as}`;
    case 'dynamic': return `named at start-up${as}`;
    default: return 'not registered under a name';
  }
}

function line(uri: string, pos: Position): string {
  return `[line ${pos.line + 1}](${uri}#L${pos.line + 1})`;
}

export function serializerCard(s: Serializer, findings: Finding[]): string {
  const checklist = evaluate(s);
  const out: string[] = [];
  out.push(`**${escapeMarkdown(s.name)}** — ${s.kind}, ${registrationLine(s)}`);
  out.push('');
  out.push(`**Process checklist: ${checklist.score}/4** · verdict: **${escapeMarkdown(VERDICT[checklist.verdict])}**`);
  out.push('');
  for (const a of checklist.answers) {
    out.push(`${a.number}. ${escapeMarkdown(a.question)} — **${ANSWER[a.answer]}**`);
    for (const e of a.evidence.slice(0, MAX_EVIDENCE)) {
      out.push(`    - ${line(e.uri, e.range.start)}: ${escapeMarkdown(e.why)} — ${inlineCode(e.code)}`);
    }
    if (a.evidence.length > MAX_EVIDENCE) out.push(`    - … and ${a.evidence.length - MAX_EVIDENCE} more`);
  }
  out.push('');
  out.push(escapeMarkdown(`Why: ${checklist.summary}.`));
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

function callCard(call: CallSite, server: Serializer | undefined, findings: Finding[]): string {
  const sc = call.serverCall!;
  const api = call.module === 'Kernel' ? sc.op : `${call.module}.${call.fn}`;
  const head = `${inlineCode(api)} ${sc.waits ? 'waits for' : 'sends to'} ${sc.target === 'self' ? 'this process itself' : inlineCode(sc.target)}`;
  if (!server) {
    return `${head}. ${sc.target === 'dynamic' ? 'The server is chosen at run time.' : 'That server is not defined in the open files or the workspace.'}`;
  }
  return `${head}, which is:\n\n---\n\n${serializerCard(server, findings)}`;
}

export interface HoverLookup {
  /** A serializer by its registered name or module name, across the workspace. */
  serializer(name: string): { serializer: Serializer; findings: Finding[] } | undefined;
}

export function hoverAt(model: FileModel, findings: Finding[], position: Position, lookup: HoverLookup): Hover | null {
  for (const s of model.serializers) {
    for (const range of [s.declaration, s.nameRange]) {
      if (containsPosition(range, position)) return markdown(serializerCard(s, findings), range);
    }
  }
  for (const call of model.serverCalls) {
    if (!call.serverCall || !containsPosition(call.range, position)) continue;
    const enclosing = model.serializers.find((s) => containsPosition(s.moduleRange, call.range.start));
    const target = call.serverCall.target;
    const local = enclosing && (target === 'self' || isNamedBy(enclosing, target)) ? enclosing : model.serializers.find((s) => isNamedBy(s, target));
    const found = local ? { serializer: local, findings } : lookup.serializer(target);
    return markdown(callCard(call, found?.serializer, found?.findings ?? []), call.range);
  }
  return null;
}

function markdown(value: string, range: Hover['range']): Hover {
  const contents: MarkupContent = { kind: 'markdown', value };
  return { contents, range };
}
