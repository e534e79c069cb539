// A real LSP client over stdio (vscode-languageserver-protocol), talking to dist/server.js --stdio.
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, type CodeAction, type Diagnostic, type Hover,
  type ProtocolConnection, type Position, type TextDocumentContentChangeEvent, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { ROOT } from './helpers';

interface Published { version?: number; diagnostics: Diagnostic[] }

export class LspClient {
  private readonly published = new Map<string, Published>();
  private readonly waiters: { uri: string; version?: number; resolve: (p: Published) => void }[] = [];
  private readonly versions = new Map<string, number>();
  private indexed!: Promise<void>;
  readonly log: string[] = [];
  stderr = '';

  private constructor(readonly process: ChildProcess, readonly connection: ProtocolConnection) {}

  static async start(workspace: string | null, initializationOptions: Record<string, unknown> = { debounceMs: 0 }): Promise<LspClient> {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection);
    child.stderr!.on('data', (chunk) => (client.stderr += chunk));
    let indexedResolve!: () => void;
    client.indexed = new Promise((resolve) => (indexedResolve = resolve));
    connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
      const entry = { version: params.version, diagnostics: params.diagnostics };
      client.published.set(params.uri, entry);
      for (const waiter of [...client.waiters]) {
        if (waiter.uri === params.uri && (waiter.version === undefined || waiter.version === params.version)) {
          client.waiters.splice(client.waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
      }
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => client.log.push(params.message));
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.onNotification('$/progress', (params: { value: { kind: string } }) => {
      if (params.value.kind === 'end') indexedResolve();
    });
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: workspace ? pathToFileURL(workspace).href : null,
      workspaceFolders: workspace ? [{ uri: pathToFileURL(workspace).href, name: path.basename(workspace) }] : null,
      capabilities: {
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true }, hover: { contentFormat: ['markdown'] } },
        workspace: { workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } } },
      },
      initializationOptions,
    });
    connection.sendNotification('initialized', {});
    if (!workspace) indexedResolve();
    return client;
  }

  /** Resolves when the background index has finished (its progress ended). */
  whenIndexed(): Promise<void> {
    return this.indexed;
  }

  private waitFor(uri: string, version?: number, timeoutMs = 15000): Promise<Published> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ uri, version, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  /** Resolves with the next diagnostics published for `uri`, whatever their version. */
  nextDiagnostics(uri: string): Promise<Diagnostic[]> {
    return this.waitFor(uri).then((p) => p.diagnostics);
  }

  async open(uri: string, text: string): Promise<Diagnostic[]> {
    this.versions.set(uri, 1);
    const waiting = this.waitFor(uri, 1);
    this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'elixir', version: 1, text } });
    return (await waiting).diagnostics;
  }

  /** Sends changes as one didChange; resolves with the diagnostics for the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const waiting = this.waitFor(uri, version);
    this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return (await waiting).diagnostics;
  }

  /** Sends changes without waiting (bursts); returns the version sent. */
  changeNoWait(uri: string, changes: TextDocumentContentChangeEvent[]): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async diagnosticsFor(uri: string, version: number): Promise<Diagnostic[]> {
    const current = this.published.get(uri);
    if (current && current.version === version) return current.diagnostics;
    return (await this.waitFor(uri, version)).diagnostics;
  }

  close(uri: string): void {
    this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  codeActions(uri: string, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return this.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics } });
  }

  /** shutdown + exit as an editor does, then waits for the process to end (killing it after 3 s). */
  async stop(): Promise<number | null> {
    const exited = new Promise<void>((resolve) => {
      if (this.process.exitCode !== null || this.process.signalCode !== null) resolve();
      else this.process.once('exit', () => resolve());
    });
    const ignore = () => undefined;
    await Promise.race([this.connection.sendRequest('shutdown').catch(ignore), new Promise((r) => setTimeout(r, 2000))]);
    await this.connection.sendNotification('exit').catch(ignore);
    const timer = setTimeout(() => this.process.kill(), 3000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return this.process.exitCode;
  }

  /** True once the server process has ended. */
  get exited(): boolean {
    return this.process.exitCode !== null || this.process.signalCode !== null;
  }
}

/** Applies LSP text edits (non-overlapping) to a text, positions in UTF-16 as LSP defines them. */
export function applyEdits(text: string, edits: { range: { start: Position; end: Position }; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') { lineStarts.push(i + 2); i++; } else if (text[i] === '\n' || text[i] === '\r') lineStarts.push(i + 1);
  }
  const offset = (p: Position) => Math.min(text.length, (lineStarts[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** The text edits of a WorkspaceEdit by file, whether it came as `changes` or as `documentChanges`. */
export function editsByUri(edit: WorkspaceEdit): Record<string, TextEdit[]> {
  if (edit.changes) return edit.changes;
  const out: Record<string, TextEdit[]> = {};
  for (const change of edit.documentChanges ?? []) {
    if ('textDocument' in change) out[change.textDocument.uri] = [...(out[change.textDocument.uri] ?? []), ...change.edits];
  }
  return out;
}
