// The process map: a tree view in the explorer listing every serializer of the workspace — kind,
// registration, verdict, callers (and how many are on request paths), supervision, the four answers
// and the findings — each line revealing its code. It refreshes when the server says the index changed.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CHOICES } from '../../server/src/decision';
import { PROCESS_MAP_REQUEST, RUN_CHECKLIST_COMMAND, type SerializerInfo } from '../../server/src/lsp/protocol';

export const PROCESS_MAP_VIEW = 'chokepoint.processMap';
export const REVEAL_COMMAND = 'chokepoint.reveal';

type Evidence = SerializerInfo['callers']['shown'][number];

/** A node of the tree: a serializer, a group of facts about it, or one line of code. */
export class MapNode extends vscode.TreeItem {
  constructor(label: string, collapsed: boolean, readonly children: () => MapNode[] = () => [], readonly serializer?: SerializerInfo) {
    super(label, collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  }
}

const ANSWER_ICON = { yes: 'pass', no: 'circle-slash', unknown: 'question' } as const;

function revealCommand(uri: string, range: Evidence['range']): vscode.Command {
  return { title: 'Show the code', command: REVEAL_COMMAND, arguments: [uri, range] };
}

function evidenceNode(e: Evidence): MapNode {
  const node = new MapNode(e.code || e.why, false);
  node.description = `${e.why} · ${vscode.workspace.asRelativePath(vscode.Uri.parse(e.uri))}:${e.range.start.line + 1}`;
  node.tooltip = `${e.why}\n${e.code}`;
  node.iconPath = new vscode.ThemeIcon('go-to-file');
  node.command = revealCommand(e.uri, e.range);
  return node;
}

function group(label: string, description: string, icon: string, items: Evidence[]): MapNode {
  const node = new MapNode(label, items.length > 0, () => items.map(evidenceNode));
  node.description = description;
  node.iconPath = new vscode.ThemeIcon(icon);
  return node;
}

export function serializerNode(s: SerializerInfo): MapNode {
  const node = new MapNode(s.label, true, () => detailNodes(s), s);
  const keep = s.choice === 'keep';
  node.description = `${s.kind} · ${s.registration} · ${CHOICES[s.choice].label}`;
  node.iconPath = new vscode.ThemeIcon(keep ? 'pass' : 'warning', new vscode.ThemeColor(keep ? 'testing.iconPassed' : 'list.warningForeground'));
  node.contextValue = 'serializer';
  node.id = `${s.uri}#${s.name}`;
  const tooltip = new vscode.MarkdownString(undefined, false); // workspace text: never trusted, no command links
  tooltip.appendText(`${s.label} — ${s.kind}, ${s.registration}\n\nChecklist ${s.checklist.score}/4: ${s.checklist.summary}.\n\nVerdict: ${CHOICES[s.choice].label}.`);
  node.tooltip = tooltip;
  node.command = revealCommand(s.uri, s.range);
  return node;
}

function detailNodes(s: SerializerInfo): MapNode[] {
  const out: MapNode[] = [];
  const { count, onRequestPaths, inTests, shown } = s.callers;
  const noun = s.language === 'typescript' ? 'Critical sections' : 'Callers';
  out.push(group(`${noun}: ${count}`, `${onRequestPaths} on request paths${inTests ? `, ${inTests} in tests` : ''}`, 'references', shown));
  if (s.supervision) {
    out.push(group('Supervision', s.supervision.supervised ? s.supervision.where.map((w) => w.why).join('; ') : 'not started by any supervisor in the workspace',
      s.supervision.supervised ? 'type-hierarchy' : 'warning', s.supervision.where));
  }
  const checklist = new MapNode(`Checklist ${s.checklist.score}/4`, true, () => s.checklist.answers.map((a) => {
    const answer = group(`${a.number}. ${a.question}`, a.answer === 'unknown' ? 'cannot tell' : a.answer, ANSWER_ICON[a.answer], a.evidence);
    return answer;
  }));
  checklist.description = s.checklist.summary;
  checklist.iconPath = new vscode.ThemeIcon('checklist');
  out.push(checklist);
  const findings = new MapNode(`Findings: ${s.findings.length}`, s.findings.length > 0, () => s.findings.map((f) => {
    const node = new MapNode(f.ruleId, false);
    node.description = f.message;
    node.tooltip = f.message;
    node.iconPath = new vscode.ThemeIcon(f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info');
    node.command = revealCommand(f.uri, f.range);
    return node;
  }));
  findings.iconPath = new vscode.ThemeIcon('list-unordered');
  out.push(findings);
  const verdict = new MapNode(`Verdict: ${CHOICES[s.choice].label}`, false);
  verdict.description = 'run the checklist';
  verdict.tooltip = CHOICES[s.choice].detail[s.language];
  verdict.iconPath = new vscode.ThemeIcon('law');
  verdict.command = { title: 'Run the process checklist', command: RUN_CHECKLIST_COMMAND, arguments: [{ uri: s.uri, name: s.name }] };
  out.push(verdict);
  return out;
}

export class ProcessMapProvider implements vscode.TreeDataProvider<MapNode> {
  private readonly changed = new vscode.EventEmitter<MapNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private serializers: Promise<SerializerInfo[]> | undefined;

  constructor(private readonly client: () => LanguageClient | undefined) {}

  refresh(): void {
    this.serializers = undefined;
    this.changed.fire(undefined);
  }

  getTreeItem(node: MapNode): vscode.TreeItem {
    return node;
  }

  async getChildren(node?: MapNode): Promise<MapNode[]> {
    if (node) return node.children();
    const client = this.client();
    if (!client?.isRunning()) return [];
    this.serializers ??= Promise.resolve(client.sendRequest<SerializerInfo[]>(PROCESS_MAP_REQUEST, {})).catch(() => []);
    return (await this.serializers).map(serializerNode);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
