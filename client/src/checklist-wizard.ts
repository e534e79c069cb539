// "Chokepoint: Run the process checklist": the four questions of Adopting Elixir asked one by one for
// one serializer, each pre-answered from the analysis with its evidence lines (picking one jumps to
// it), every answer open to the user's override; it ends in a verdict and offers the fixes and
// snippets that carry it out. The answers come from the server; the decision is server/src/decision.ts.
import * as vscode from 'vscode';
import { CodeAction, CodeActionRequest, type LanguageClient } from 'vscode-languageclient/node';
import type { Answer, QuestionId } from '../../server/src/checklist';
import { CHOICES, decide, type Choice } from '../../server/src/decision';
import { PROCESS_MAP_REQUEST, SERIALIZER_AT_REQUEST, type SerializerInfo, type SerializerRef } from '../../server/src/lsp/protocol';
import { revealRange, toRange } from './locations';
import { insertSnippet, snippetsOf } from './snippets';

type Evidence = SerializerInfo['checklist']['answers'][number]['evidence'][number];
interface AnswerItem extends vscode.QuickPickItem { answer?: 'yes' | 'no'; evidence?: Evidence }
interface VerdictItem extends vscode.QuickPickItem { run?: () => Thenable<unknown> }

const ANSWER_LABEL: Record<Answer, string> = { yes: 'yes', no: 'no', unknown: 'cannot tell' };

/** The result, for the status of the command (and for tests that drive the UI). */
export interface ChecklistOutcome { serializer: string; answers: Record<QuestionId, Answer>; choice: Choice; applied?: string }

export class ChecklistWizard {
  constructor(private readonly client: LanguageClient, private readonly extensionPath: string, private readonly log: (line: string) => void) {}

  async run(ref?: SerializerRef): Promise<ChecklistOutcome | undefined> {
    const info = await this.pickSerializer(ref);
    if (!info) return undefined;
    const answers = {} as Record<QuestionId, Answer>;
    const questions = info.checklist.answers;
    for (let step = 0; step < questions.length;) {
      const result = await this.askQuestion(info, step, answers);
      if (result === 'cancel') return undefined;
      if (result === 'back') {
        step = Math.max(0, step - 1);
        continue;
      }
      answers[questions[step].id] = result;
      step++;
    }
    const choice = decide(answers, info.facts);
    const applied = await this.showVerdict(info, answers, choice);
    return { serializer: info.name, answers, choice, applied };
  }

  /** The serializer named by a code lens or action, else the one under the cursor, else one the user picks. */
  private async pickSerializer(ref?: SerializerRef): Promise<SerializerInfo | undefined> {
    if (ref) {
      const found = await this.client.sendRequest<SerializerInfo | null>(SERIALIZER_AT_REQUEST, { uri: ref.uri, name: ref.name });
      if (found) return found;
    }
    const editor = vscode.window.activeTextEditor;
    if (!ref && editor) {
      const uri = this.client.code2ProtocolConverter.asUri(editor.document.uri);
      const found = await this.client.sendRequest<SerializerInfo | null>(SERIALIZER_AT_REQUEST, { uri, position: editor.selection.active });
      if (found) return found;
    }
    const all = await this.client.sendRequest<SerializerInfo[]>(PROCESS_MAP_REQUEST, {});
    if (all.length === 0) {
      void vscode.window.showInformationMessage('Chokepoint found no GenServer, Agent, lock, queue or worker in this workspace.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(all.map((s) => ({
      label: s.label,
      description: `${s.kind} · ${s.registration}`,
      detail: `checklist ${s.checklist.score}/4 · ${CHOICES[s.choice].label} · ${vscode.workspace.asRelativePath(vscode.Uri.parse(s.uri))}`,
      info: s,
    })), { title: 'Chokepoint: Run the process checklist', placeHolder: 'Which serializer? (none is under the cursor)', matchOnDescription: true, matchOnDetail: true });
    return picked?.info;
  }

  /** One question: yes / no (the analysis's answer first), then its evidence lines. */
  private askQuestion(info: SerializerInfo, step: number, answers: Partial<Record<QuestionId, Answer>>): Promise<'yes' | 'no' | 'back' | 'cancel'> {
    const q = info.checklist.answers[step];
    const given = answers[q.id] ?? q.answer;
    const analysis = (a: 'yes' | 'no') => (q.answer === a ? 'the analysis says so' : q.answer === 'unknown' ? 'the analysis cannot tell' : 'override the analysis');
    const yes: AnswerItem = { label: '$(check) Yes', description: analysis('yes'), answer: 'yes' };
    const no: AnswerItem = { label: '$(x) No', description: analysis('no'), answer: 'no' };
    const choices = given === 'yes' ? [yes, no] : [no, yes];
    const evidence: AnswerItem[] = q.evidence.map((e) => ({
      label: `$(go-to-file) ${vscode.workspace.asRelativePath(vscode.Uri.parse(e.uri))}:${e.range.start.line + 1}`,
      description: e.why,
      detail: e.code,
      evidence: e,
    }));
    const items: AnswerItem[] = [...choices, { label: evidence.length ? 'Evidence (pick a line to see it)' : 'No evidence found in the code', kind: vscode.QuickPickItemKind.Separator }, ...evidence];

    const pick = vscode.window.createQuickPick<AnswerItem>();
    pick.title = `Process checklist for ${info.label}`;
    pick.step = step + 1;
    pick.totalSteps = info.checklist.answers.length + 1;
    pick.placeholder = `${q.number}. ${q.question} — analysis: ${ANSWER_LABEL[q.answer]}`;
    pick.items = items;
    pick.activeItems = [choices[0]];
    pick.ignoreFocusOut = true;
    pick.matchOnDescription = true;
    pick.buttons = step > 0 ? [vscode.QuickInputButtons.Back] : [];
    return new Promise((resolve) => {
      let done = false;
      const finish = (value: 'yes' | 'no' | 'back' | 'cancel') => {
        if (done) return;
        done = true;
        resolve(value);
        pick.dispose();
      };
      pick.onDidTriggerButton(() => finish('back'));
      pick.onDidAccept(() => {
        const item = pick.selectedItems[0];
        if (item?.answer) finish(item.answer);
        else if (item?.evidence) void revealRange(item.evidence.uri, item.evidence.range, true); // stays on the question
      });
      pick.onDidHide(() => finish('cancel'));
      pick.show();
    });
  }

  /** The verdict, and the ways to carry it out: the rules' fixes for this server, then snippets. */
  private async showVerdict(info: SerializerInfo, answers: Record<QuestionId, Answer>, choice: Choice): Promise<string | undefined> {
    const meta = CHOICES[choice];
    const overridden = info.checklist.answers.filter((a) => a.answer !== answers[a.id]).length;
    const fixes = await this.fixesFor(info, meta.rules[info.language]);
    const items: VerdictItem[] = [];
    if (fixes.length) items.push({ label: 'Fixes', kind: vscode.QuickPickItemKind.Separator });
    for (const { action, ruleId, matches } of fixes) {
      items.push({
        label: `$(lightbulb-autofix) ${action.title}`,
        description: matches ? `${ruleId} · carries out the verdict` : ruleId,
        run: async () => {
          if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) throw new Error(`the edit of "${action.title}" was not applied`);
          if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
        },
      });
    }
    const snippets = snippetsOf(this.extensionPath, info.language);
    const names = meta.snippets[info.language].filter((n) => snippets[n]);
    if (names.length) items.push({ label: 'Snippets', kind: vscode.QuickPickItemKind.Separator });
    for (const name of names) {
      items.push({ label: `$(symbol-snippet) Insert snippet: ${name}`, description: snippets[name].description, run: () => insertSnippet(snippets[name], info.language) });
    }
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: `$(go-to-file) Show ${info.label}`, run: () => revealRange(info.uri, info.range) });
    items.push({ label: '$(check) Done', run: async () => undefined });

    const picked = await vscode.window.showQuickPick(items, {
      title: `Process checklist for ${info.label} — verdict: ${meta.label}${overridden ? ` (with ${overridden} answer${overridden === 1 ? '' : 's'} of yours)` : ''}`,
      placeHolder: meta.detail[info.language],
      ignoreFocusOut: true,
    });
    if (!picked?.run) return undefined;
    await picked.run();
    return picked.label.replace(/^\$\([\w-]+\) /, '');
  }

  /**
   * Chokepoint's own code actions for the serializer's findings, suppressions and this checklist left
   * out: the fixes of the verdict's rules first. They are asked of the Chokepoint server, with the
   * finding as the diagnostic, not of every provider at that range (VS Code's TypeScript would add its
   * "surround with" snippets, and nothing would tell them apart). The file is opened first so that
   * its diagnostics exist.
   */
  private async fixesFor(info: SerializerInfo, rules: string[]): Promise<{ action: vscode.CodeAction; ruleId: string; matches: boolean }[]> {
    const byTitle = new Map<string, { action: vscode.CodeAction; ruleId: string; matches: boolean }>();
    for (const finding of info.findings) {
      // The server offers fixes in the files open in the editor, once it has analysed them.
      const uri = this.client.protocol2CodeConverter.asUri(finding.uri);
      await vscode.workspace.openTextDocument(uri);
      await diagnosticsReady(uri);
      const diagnostic = { range: finding.range, message: finding.message, code: finding.ruleId, source: 'chokepoint', data: { ruleId: finding.ruleId } };
      const answer = await this.client.sendRequest(CodeActionRequest.type, { textDocument: { uri: finding.uri }, range: finding.range, context: { diagnostics: [diagnostic] } });
      let offered = 0;
      for (const item of answer ?? []) {
        if (!CodeAction.is(item) || !item.edit) continue; // commands: this checklist itself
        if (/^(Disable |Remove unused suppression)/.test(item.title)) continue;
        offered++;
        const action = await this.client.protocol2CodeConverter.asCodeAction(item);
        const matches = rules.includes(finding.ruleId);
        const known = byTitle.get(action.title);
        if (!known || (matches && !known.matches)) byTitle.set(action.title, { action, ruleId: finding.ruleId, matches });
      }
      this.log(`checklist: ${offered} fix${offered === 1 ? '' : 'es'} at ${finding.ruleId} ${vscode.workspace.asRelativePath(uri)}:${finding.range.start.line + 1}`);
    }
    return [...byTitle.values()].sort((a, b) => Number(b.matches) - Number(a.matches));
  }
}

/** Waits (up to 5 s) until the server has published diagnostics for a file just opened. */
function diagnosticsReady(uri: vscode.Uri): Promise<void> {
  const has = () => vscode.languages.getDiagnostics(uri).some((d) => d.source === 'chokepoint');
  if (has()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, 5000);
    const subscription = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString()) && has()) finish();
    });
    function finish() {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    }
  });
}
