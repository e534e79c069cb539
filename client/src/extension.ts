// The VS Code side: starts the Chokepoint language server and gives it a status item, an output
// channel and restart/show-output commands. No analysis happens here (see server/).
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

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
function settingsForServer(): { enable?: boolean; debounceMs?: number; rules?: Record<string, string> } {
  const config = vscode.workspace.getConfiguration('chokepoint');
  return { enable: config.get('enable'), debounceMs: config.get('debounceMs'), rules: config.get('rules') };
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
    initializationOptions: settingsForServer(),
    synchronize: { configurationSection: 'chokepoint' },
  };
  client = new LanguageClient('chokepoint', 'Chokepoint', serverOptions(context), clientOptions);
  client.onDidChangeState((event) => {
    if (!status) return;
    if (event.newState === State.Running) {
      status.text = '$(pass) Chokepoint';
      status.tooltip = 'Chokepoint: server running — click for the log';
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
  );
  await client.start();
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
