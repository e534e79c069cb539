// The VS Code side: starts the Chokepoint language server and gives it a status item, an output
// channel, restart/show-output commands, the checklist wizard, the process map and the walkthrough's
// examples. No analysis happens here (see server/): everything shown comes from the server.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { INDEX_CHANGED_NOTIFICATION, RUN_CHECKLIST_COMMAND, type SerializerRef } from '../../server/src/lsp/protocol';
import { ChecklistWizard } from './checklist-wizard';
import { revealRange } from './locations';
import { PROCESS_MAP_VIEW, ProcessMapProvider, REVEAL_COMMAND, type MapNode } from './process-map';

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem | undefined;

function serverOptions(context: vscode.ExtensionContext): ServerOptions {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  return {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
}

/** The settings the server reads, as plain data (`chokepoint.rules.<id>` arrives as `rules: { <id>: … }`). */
function settingsForServer(): { enable?: boolean; debounceMs?: number; timeBudgetMs?: number; rules?: Record<string, string> } {
  const config = vscode.workspace.getConfiguration('chokepoint');
  return { enable: config.get('enable'), debounceMs: config.get('debounceMs'), timeBudgetMs: config.get('timeBudgetMs'), rules: config.get('rules') };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Chokepoint');
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 50);
  status.name = 'Chokepoint';
  status.command = 'chokepoint.showOutput';
  status.text = '$(loading~spin) Chokepoint';
  status.tooltip = 'Chokepoint: starting';
  status.show();

  const clientOptions: LanguageClientOptions = {
    documentSelector: ['elixir', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'].map((language) => ({ language })),
    outputChannel: output,
    // The server offers "Run checklist" lenses and actions only to clients that have the command.
    initializationOptions: { ...settingsForServer(), clientCommands: [RUN_CHECKLIST_COMMAND] },
    synchronize: { configurationSection: 'chokepoint' },
  };
  client = new LanguageClient('chokepoint', 'Chokepoint', serverOptions(context), clientOptions);
  const processMap = new ProcessMapProvider(() => client);
  const wizard = new ChecklistWizard(client, context.extensionPath, (line) => output.appendLine(line));
  client.onNotification(INDEX_CHANGED_NOTIFICATION, () => processMap.refresh());
  client.onDidChangeState((event) => {
    if (!status) return;
    if (event.newState === State.Running) {
      status.text = '$(pass) Chokepoint';
      status.tooltip = 'Chokepoint: server running — click for the log';
      processMap.refresh();
    } else if (event.newState === State.Starting) {
      status.text = '$(loading~spin) Chokepoint';
      status.tooltip = 'Chokepoint: starting';
    } else {
      status.text = '$(error) Chokepoint';
      status.tooltip = 'Chokepoint: server stopped — run "Chokepoint: Restart server"';
    }
  });

  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('chokepoint.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('chokepoint.restartServer', async () => {
      output.appendLine('Restarting the Chokepoint server…');
      await client?.restart();
    }),
    vscode.languages.onDidChangeDiagnostics(() => updateCount()),
    processMap,
    vscode.window.registerTreeDataProvider(PROCESS_MAP_VIEW, processMap),
    vscode.commands.registerCommand(RUN_CHECKLIST_COMMAND, async (arg?: SerializerRef | MapNode) => {
      // From a code lens or action: { uri, name }; from the process map's context menu: its node.
      const ref = arg && 'serializer' in arg && arg.serializer ? { uri: arg.serializer.uri, name: arg.serializer.name }
        : arg && 'uri' in arg && typeof arg.uri === 'string' && 'name' in arg ? (arg as SerializerRef) : undefined;
      try {
        return await wizard.run(ref);
      } catch (error) {
        output.appendLine(`checklist: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        void vscode.window.showErrorMessage(`Chokepoint: the checklist stopped: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('chokepoint.showProcessMap', () => vscode.commands.executeCommand(`${PROCESS_MAP_VIEW}.focus`)),
    vscode.commands.registerCommand('chokepoint.refreshProcessMap', () => processMap.refresh()),
    vscode.commands.registerCommand(REVEAL_COMMAND, (uri: string, range) => revealRange(uri, range)),
    vscode.commands.registerCommand('chokepoint.openExample', (name?: string) => openExample(context, name)),
  );
  await client.start();
}

/**
 * Opens one of the walkthrough's bundled examples (examples/ in the extension). A copy in the
 * extension's storage is opened, so that applying a fix changes the copy, not the extension.
 */
async function openExample(context: vscode.ExtensionContext, name = 'user_store.ex'): Promise<void> {
  const source = context.asAbsolutePath(path.join('examples', path.basename(name)));
  if (!fs.existsSync(source)) {
    void vscode.window.showErrorMessage(`Chokepoint: no bundled example named ${name}.`);
    return;
  }
  const dir = path.join(context.globalStorageUri.fsPath, 'examples');
  fs.mkdirSync(dir, { recursive: true });
  for (const file of fs.readdirSync(path.dirname(source))) {
    const copy = path.join(dir, file);
    if (!fs.existsSync(copy)) fs.copyFileSync(path.join(path.dirname(source), file), copy);
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, path.basename(name))));
  await vscode.window.showTextDocument(document, { preview: false });
}

function updateCount(): void {
  if (!status || client?.state !== State.Running) return;
  let count = 0;
  for (const [, diagnostics] of vscode.languages.getDiagnostics()) count += diagnostics.filter((d) => d.source === 'chokepoint').length;
  status.text = count ? `$(warning) Chokepoint ${count}` : '$(pass) Chokepoint';
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
