// The language server (run with --stdio, or --node-ipc by the VS Code client). It owns the documents,
// the workspace index and the settings, and presents findings as diagnostics, hovers and code actions.
import { fileURLToPath, pathToFileURL } from 'url';
import {
  CodeAction, CodeActionKind, createConnection, LSPErrorCodes, ResponseError, type CancellationToken, DiagnosticSeverity, DiagnosticTag, DidChangeWatchedFilesNotification, FileChangeType,
  ProposedFeatures, TextDocumentSyncKind, type Connection, type Diagnostic, type InitializeParams, type InitializeResult, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import * as path from 'path';
import { analyzeFile, UNUSED_SUPPRESSION, type RuleSetting } from '../analysis';
import { budgetOf, BudgetExceeded, DEFAULT_TIME_BUDGET_MS } from '../budget';
import { CONFIG_FILE, effectiveRules, loadConfig, type LoadedConfig } from '../config';
import { ruleDocsUrl } from '../docs';
import { ElixirParser } from '../elixir/parser';
import type { FileModel, Finding, Position, Range, Serializer, Severity, TextEdit } from '../model';
import { modelFromText } from '../project';
import { ParseWorker, type ParseRequest } from '../workspace/parse-worker';
import { RULES, ruleById } from '../rules';
import { suppressionComment } from '../suppressions';
import { VERSION } from '../version';
import { listSourceFiles, SOURCE_EXTENSIONS } from '../workspace/files';
import { WorkspaceIndex } from '../workspace/index';
import { ElixirRefactorer, normalizeEdits } from '../elixir/refactor';
import { isTypeScriptUri } from '../typescript/lazy';
import { readSourceFile as readFileText } from '../workspace/files';
import { SourceDocument, MAX_FILE_CHARS } from './documents';
import { hoverAt } from './hover';
import {
  codeLenses, describeSerializer, INDEX_CHANGED_NOTIFICATION, PROCESS_MAP_REQUEST, RUN_CHECKLIST_COMMAND, SERIALIZER_AT_REQUEST,
  type SerializerInfo, type SerializerRef,
} from './process-map';
import { containsPosition } from '../positions';

interface Settings {
  enable: boolean;
  debounceMs: number;
  /** Per file and stage (parse, model, rules): past it, the file is given up on with a message. */
  timeBudgetMs: number;
  /** The editor's per-rule settings; "default" defers to .chokepoint.json, then to the rule. */
  rules: Record<string, RuleSetting | undefined>;
}

const DEFAULT_SETTINGS: Settings = { enable: true, debounceMs: 200, timeBudgetMs: DEFAULT_TIME_BUDGET_MS, rules: {} };
const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint,
};

function readSettings(value: unknown, base: Settings = DEFAULT_SETTINGS): Settings {
  const v = (value && typeof value === 'object' ? value : {}) as Partial<Settings> & Record<string, unknown>;
  const rules: Settings['rules'] = {};
  const given = v.rules && typeof v.rules === 'object' ? (v.rules as Record<string, unknown>) : {};
  for (const rule of RULES) {
    const setting = given[rule.meta.id];
    if (setting === 'off' || setting === 'info' || setting === 'warning' || setting === 'error') rules[rule.meta.id] = setting;
  }
  return {
    enable: typeof v.enable === 'boolean' ? v.enable : base.enable,
    debounceMs: typeof v.debounceMs === 'number' && v.debounceMs >= 0 ? v.debounceMs : base.debounceMs,
    timeBudgetMs: typeof v.timeBudgetMs === 'number' && v.timeBudgetMs >= 1 ? v.timeBudgetMs : base.timeBudgetMs,
    rules,
  };
}

export function startServer(connection: Connection): void {
  const documents = new Map<string, SourceDocument>();
  const findingsByUri = new Map<string, Finding[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const index = new WorkspaceIndex();
  let settings = DEFAULT_SETTINGS;
  let parser: ElixirParser | undefined;
  const parserReady = ElixirParser.create().then((p) => (parser = p));
  let workspaceRoots: string[] = [];
  /** `.chokepoint.json` of each workspace root. */
  let configs: LoadedConfig[] = [];
  let canPullConfiguration = false;
  let canWatchFiles = false;
  /** The client takes documentChanges with change annotations (multi-file fixes ask for confirmation). */
  let canAnnotate = false;
  let canRefreshLenses = false;
  /** Commands the client implements (the VS Code client's checklist wizard); lenses and actions use only these. */
  let clientCommands = new Set<string>();
  let indexChangedTimer: NodeJS.Timeout | undefined;

  const log = (message: string) => connection.console.log(`[chokepoint] ${message}`);
  const logError = (what: string, error: unknown) =>
    connection.console.error(`[chokepoint] ${what}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);

  /** Every handler goes through this: an exception is logged and answered with a fallback, never fatal. */
  function guard<A extends unknown[], R>(what: string, fallback: R, handler: (...args: A) => R | Promise<R>) {
    return async (...args: A): Promise<R> => {
      try {
        return await handler(...args);
      } catch (error) {
        if (error instanceof ResponseError) throw error; // a cancelled request is answered as such
        logError(what, error);
        return fallback;
      }
    };
  }

  /**
   * Honours $/cancelRequest: a request the client no longer wants (the cursor moved on, the editor
   * closed) is answered "cancelled" at the next check instead of finishing its work.
   */
  function throwIfCancelled(token: CancellationToken | undefined): void {
    if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
  }

  /** The config of the workspace root holding the file (the innermost, for nested roots). */
  function configFor(uri: string): LoadedConfig | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const file = fileURLToPath(uri);
    return configs.filter((c) => !path.relative(c.root, file).startsWith('..')).sort((a, b) => b.root.length - a.root.length)[0];
  }

  function excluded(uri: string): boolean {
    return !!configFor(uri)?.excludes(fileURLToPath(uri));
  }

  function rulesFor(uri: string): Record<string, RuleSetting> {
    return effectiveRules(configFor(uri)?.config ?? { rules: {}, exclude: [] }, settings.rules);
  }

  const indexedModels = new WeakSet<FileModel>();

  /**
   * The document's model, recorded in the index. When what other files can see of it changed, every
   * open file is analysed again; when only its lines moved, the files whose findings point into it are.
   */
  function modelOf(doc: SourceDocument): FileModel | undefined {
    if (!parser || doc.tooLarge || excluded(doc.uri)) return undefined;
    const model = doc.getModel(parser, settings.timeBudgetMs);
    if (indexedModels.has(model)) return model;
    indexedModels.add(model);
    const crossFile = index.update(model);
    indexChanged();
    for (const other of documents.keys()) {
      if (other === doc.uri) continue;
      if (crossFile || findingsByUri.get(other)?.some((f) => f.related.some((r) => r.uri === doc.uri))) schedule(other);
    }
    return model;
  }

  /**
   * Tells the client that what the process map and the code lenses show may have changed: once, a
   * moment after a burst of changes, not on every keystroke.
   */
  function indexChanged(): void {
    clearTimeout(indexChangedTimer);
    indexChangedTimer = setTimeout(() => {
      void connection.sendNotification(INDEX_CHANGED_NOTIFICATION, { files: index.size });
      if (canRefreshLenses) void connection.sendRequest('workspace/codeLens/refresh').catch((error) => logError('codeLens/refresh', error));
    }, 300);
  }

  /** The findings of a file, open or not, with the settings of its workspace. */
  function findingsOf(uri: string): Finding[] {
    const open = findingsByUri.get(uri);
    if (open) return open;
    const model = index.model(uri);
    return model && settings.enable ? analyzeFile(model, index.context(), { rules: rulesFor(uri), log }) : [];
  }

  function describe(serializers: readonly Serializer[]): SerializerInfo[] {
    const project = index.context();
    const findings = new Map<string, Finding[]>();
    return serializers.map((s) => {
      if (!findings.has(s.uri)) findings.set(s.uri, findingsOf(s.uri));
      return describeSerializer(s, project, findings.get(s.uri)!);
    });
  }

  /**
   * describe() for the whole workspace: one file's analysis at a time, yielding between files so that
   * edits and $/cancelRequest are read meanwhile; a cancelled request stops there.
   */
  async function describeAll(token: CancellationToken): Promise<SerializerInfo[]> {
    const byFile = new Map<string, Serializer[]>();
    for (const s of index.context().allSerializers()) byFile.set(s.uri, [...(byFile.get(s.uri) ?? []), s]);
    const out: SerializerInfo[] = [];
    for (const serializers of byFile.values()) {
      throwIfCancelled(token);
      out.push(...describe(serializers));
      await new Promise((resolve) => setImmediate(resolve));
    }
    throwIfCancelled(token);
    return out;
  }

  /** The serializer at a position: the one whose module holds it, or the one a server call there reaches. */
  function serializerAt(model: FileModel, position: Position): Serializer | undefined {
    // A TypeScript file may hold several locks, each spanning the file: the one whose declaration or
    // critical section holds the position, else the nearest declared above it.
    const own = model.serializers.filter((s) => containsPosition(s.moduleRange, position));
    const exact = own.find((s) => containsPosition(s.declaration, position) || s.handlers.some((h) => containsPosition(h.range, position)));
    const above = own.filter((s) => s.declaration.start.line <= position.line).sort((a, b) => b.declaration.start.line - a.declaration.start.line)[0];
    if (exact ?? above ?? own[0]) return exact ?? above ?? own[0];
    const call = model.serverCalls.find((c) => c.serverCall && containsPosition(c.range, position));
    return call?.serverCall ? index.serializer(call.serverCall.target) : undefined;
  }

  /** `onOutOfTime` is told the rules that did not run within the time budget, if any. */
  function analyze(doc: SourceDocument, onOutOfTime?: (skippedRules: string[]) => void): Finding[] {
    const model = modelOf(doc);
    if (!model || !settings.enable) return [];
    const findings = analyzeFile(model, index.context(), {
      rules: rulesFor(doc.uri), log, reportUnusedSuppressions: true, budget: budgetOf(settings.timeBudgetMs), onOutOfTime,
    });
    findingsByUri.set(doc.uri, findings);
    return findings;
  }

  /** One information diagnostic at the top of a file that Chokepoint gave up on, saying why. */
  function notice(message: string): Diagnostic {
    return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'chokepoint', message };
  }

  /**
   * The rule's own fixes for the finding behind a diagnostic: refactorings that re-read the files they
   * edit. A fix that cannot be done correctly for this code is not offered.
   */
  function ruleFixes(doc: SourceDocument, model: FileModel, ruleId: string, diagnostic: Diagnostic): CodeAction[] {
    const rule = ruleById(ruleId);
    const finding = findingsByUri.get(doc.uri)?.find((f) => f.ruleId === ruleId && sameRange(f.range, diagnostic.range));
    if (!rule?.fixes || !finding || !parser) return [];
    const project = index.context();
    const read = (uri: string) => documents.get(uri)?.text ?? (uri.startsWith('file:') ? readFileText(fileURLToPath(uri)) : undefined);
    const refactor = new ElixirRefactorer(parser, read, project);
    try {
      return rule.fixes({ finding, file: model, project, refactor }).map((fix) => {
        const edits = normalizeEdits(fix.edits, (uri) => refactor.linesOf(uri));
        return {
          title: fix.title,
          kind: fix.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
          diagnostics: [diagnostic],
          isPreferred: fix.preferred,
          edit: workspaceEditOf(edits, fix.title),
        };
      });
    } finally {
      refactor.dispose();
    }
  }

  /** Edits as a WorkspaceEdit: with versions, and a confirmation when they touch more than one file. */
  function workspaceEditOf(edits: TextEdit[], title: string): WorkspaceEdit {
    const uris = [...new Set(edits.map((e) => e.uri))];
    const strip = (e: TextEdit) => ({ range: e.range, newText: e.newText });
    if (!canAnnotate) return { changes: Object.fromEntries(uris.map((uri) => [uri, edits.filter((e) => e.uri === uri).map(strip)])) };
    const confirm = uris.length > 1;
    return {
      documentChanges: uris.map((uri) => ({
        textDocument: { uri, version: documents.get(uri)?.version ?? null },
        edits: edits.filter((e) => e.uri === uri).map((e) => (confirm ? { ...strip(e), annotationId: 'chokepoint-refactor' } : strip(e))),
      })),
      ...(confirm ? { changeAnnotations: { 'chokepoint-refactor': { label: title, needsConfirmation: true, description: `Changes ${uris.length} files` } } } : {}),
    };
  }

  /** One diagnostic per problem in each root's .chokepoint.json (none clears them). */
  function publishConfigProblems(): void {
    for (const config of configs) {
      const uri = pathToUri(path.join(config.root, CONFIG_FILE));
      void connection.sendDiagnostics({
        uri,
        diagnostics: config.problems.map((p) => ({ range: p.range, severity: DiagnosticSeverity.Error, source: 'chokepoint', code: 'config', message: p.message })),
      });
      if (config.problems.length) log(`${uri}: ${config.problems.map((p) => p.message).join(' / ')}`);
    }
  }

  function toDiagnostic(f: Finding): Diagnostic {
    if (f.ruleId === UNUSED_SUPPRESSION) {
      return { range: f.range, severity: DiagnosticSeverity.Information, code: f.ruleId, source: 'chokepoint', message: f.message, tags: [DiagnosticTag.Unnecessary], data: { ruleId: f.ruleId } };
    }
    return {
      range: f.range,
      severity: SEVERITY[f.severity],
      code: f.ruleId,
      codeDescription: { href: ruleDocsUrl(f.ruleId) },
      source: 'chokepoint',
      message: f.message,
      relatedInformation: f.related.map((r) => ({ location: { uri: r.uri, range: r.range }, message: r.why })),
      data: { ruleId: f.ruleId },
    };
  }

  function publish(doc: SourceDocument): void {
    let diagnostics: Diagnostic[];
    if (doc.tooLarge) {
      diagnostics = [notice(`Chokepoint skipped this file: it is ${(doc.text.length / 1048576).toFixed(1)} MB, above the ${MAX_FILE_CHARS / 1048576} MB limit for analysis.`)];
    } else if (excluded(doc.uri)) {
      diagnostics = []; // excluded by .chokepoint.json
    } else {
      try {
        let skipped: string[] = [];
        diagnostics = analyze(doc, (rules) => (skipped = rules)).map(toDiagnostic);
        if (skipped.length > 0) {
          diagnostics.push(notice(`Chokepoint ran out of time on this file: these rules did not run within ${settings.timeBudgetMs} ms (chokepoint.timeBudgetMs): ${skipped.join(', ')}.`));
          log(`${doc.uri} v${doc.version}: out of time, not run: ${skipped.join(', ')}`);
        }
      } catch (error) {
        if (!(error instanceof BudgetExceeded)) throw error;
        diagnostics = [notice(`Chokepoint skipped this file: ${error.stage} it took longer than ${error.budgetMs} ms (chokepoint.timeBudgetMs).`)];
        log(`${doc.uri} v${doc.version}: ${error.message}`);
      }
    }
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  function schedule(uri: string, delay = settings.debounceMs): void {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      const doc = documents.get(uri);
      if (!doc) return;
      parserReady.then(() => {
        if (documents.get(uri) !== doc) return;
        try {
          publish(doc);
        } catch (error) {
          logError(`analysing ${uri}`, error);
          // Nothing is known of this version (e.g. nesting too deep for the TypeScript parser): say so,
          // rather than leave the previous version's diagnostics on text that has changed.
          void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: [] });
        }
      }, (error) => logError('loading the Elixir grammar', error));
    }, delay));
  }

  function scheduleAll(): void {
    for (const uri of documents.keys()) schedule(uri);
  }

  async function pullSettings(): Promise<void> {
    if (!canPullConfiguration) return;
    const [value] = await connection.workspace.getConfiguration([{ section: 'chokepoint' }]);
    settings = readSettings(value, settings);
  }

  /**
   * Indexes the workspace in the background, with cancellable progress. A large workspace is parsed by a
   * worker thread, so that this thread stays free to answer the editor; a small one here, a few files per
   * tick.
   */
  async function indexWorkspace(): Promise<void> {
    if (workspaceRoots.length === 0) return;
    await parserReady;
    const progress = await connection.window.createWorkDoneProgress();
    progress.begin('Chokepoint: indexing Elixir files', 0, 'listing files', true);
    let cancelled = false;
    progress.token.onCancellationRequested(() => (cancelled = true));
    const report = (done: number, total: number) => progress.report(Math.round((done / total) * 100), `${done}/${total} files`);
    try {
      const files = workspaceRoots.flatMap((root) => listSourceFiles(root, SOURCE_EXTENSIONS, () => cancelled)).filter((f) => !excluded(pathToUri(f)));
      // Files excluded since the last run (or deleted) leave the index.
      const listed = new Set(files.map(pathToUri));
      for (const uri of index.uris()) if (!listed.has(uri) && !documents.has(uri)) index.remove(uri);
      const worker = files.length >= INDEX_WORKER_THRESHOLD ? ParseWorker.start() : undefined;
      if (worker) log(`indexing ${files.length} files in a worker thread`);
      let changed = false;
      try {
        changed = worker ? await indexInWorker(worker, files, () => cancelled, report) : await indexHere(files, () => cancelled, report);
      } catch (error) {
        if (!worker) throw error;
        // The worker failed (it could not load its parser, say): this thread does the work instead.
        logError('indexing in a worker thread', error);
        await indexHere(files, () => cancelled, report);
        changed = true; // part of it may have been indexed before the failure: analyse the open files again
      } finally {
        await worker?.stop();
      }
      log(cancelled ? 'indexing cancelled' : `indexed ${files.length} files (${index.size} models in the index)`);
      indexChanged();
      if (changed) scheduleAll();
    } finally {
      progress.done();
    }
  }

  async function indexHere(files: string[], cancelled: () => boolean, report: (done: number, total: number) => void): Promise<boolean> {
    let changed = false;
    for (let i = 0; i < files.length && !cancelled(); i++) {
      const uri = pathToUri(files[i]);
      if (!documents.has(uri)) changed = indexFile(files[i], uri) || changed;
      if (i % 20 === 19) {
        report(i + 1, files.length);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return changed;
  }

  /**
   * The worker parses a batch while this thread reads the next; results for files opened meanwhile are
   * dropped (the open document is newer than the disk).
   */
  async function indexInWorker(worker: ParseWorker, files: string[], cancelled: () => boolean, report: (done: number, total: number) => void): Promise<boolean> {
    let changed = false;
    let inFlight: Promise<void> | undefined;
    for (let start = 0; start < files.length && !cancelled(); start += INDEX_BATCH) {
      const batch: ParseRequest[] = [];
      for (const file of files.slice(start, start + INDEX_BATCH)) {
        const uri = pathToUri(file);
        if (documents.has(uri)) continue;
        const text = indexableText(file);
        if (text === undefined) changed = index.remove(uri) || changed;
        else batch.push({ file, text, uri });
      }
      await inFlight;
      if (cancelled()) break;
      const done = Math.min(start + INDEX_BATCH, files.length);
      inFlight = worker.parse(batch, settings.timeBudgetMs).then((results) => {
        results.forEach((result, i) => {
          const { file, uri } = batch[i];
          if (documents.has(uri!)) return;
          if (result.model) changed = index.update(result.model) || changed;
          else {
            logError(`indexing ${file}`, result.error);
            changed = index.remove(uri!) || changed;
          }
        });
        report(done, files.length);
      });
    }
    await inFlight;
    return changed;
  }

  /** (Re)reads one file that is not open; returns true when the project context changed. */
  function indexFile(file: string, uri: string): boolean {
    const text = indexableText(file);
    if (text === undefined) return index.remove(uri);
    try {
      return index.update(modelFromText(parser!, uri, text, settings.timeBudgetMs));
    } catch (error) {
      logError(`indexing ${file}`, error);
      return index.remove(uri);
    }
  }

  /** A closed file's text for the index; undefined when it is gone, unreadable or above the size cap. */
  function indexableText(file: string): string | undefined {
    try {
      const text = readFileText(file);
      return text.length > MAX_FILE_CHARS ? undefined : text;
    } catch (error) {
      // A file deleted (or never saved) is simply gone from the index; anything else is worth a log.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logError(`indexing ${file}`, error);
      return undefined;
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    canPullConfiguration = !!params.capabilities.workspace?.configuration;
    const workspaceEdit = params.capabilities.workspace?.workspaceEdit;
    canAnnotate = !!workspaceEdit?.documentChanges && !!workspaceEdit.changeAnnotationSupport;
    canWatchFiles = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    canRefreshLenses = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    settings = readSettings(params.initializationOptions);
    const commands = (params.initializationOptions as { clientCommands?: unknown } | undefined)?.clientCommands;
    clientCommands = new Set(Array.isArray(commands) ? commands.filter((c): c is string => typeof c === 'string') : []);
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    workspaceRoots = folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    configs = workspaceRoots.map(loadConfig);
    return {
      capabilities: {
        positionEncoding: 'utf-16',
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, CodeActionKind.Refactor] },
        codeLensProvider: { resolveProvider: false },
        workspace: { workspaceFolders: { supported: true } },
      },
      serverInfo: { name: 'chokepoint', version: VERSION },
    };
  });

  connection.onInitialized(guard('initialized', undefined, async () => {
    if (canWatchFiles) {
      await connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{ex,exs,ts,tsx,mts,cts,js,jsx,mjs,cjs}' }, { globPattern: `**/${CONFIG_FILE}` }] });
    }
    publishConfigProblems();
    await pullSettings();
    scheduleAll();
    void indexWorkspace().catch((error) => logError('indexing the workspace', error));
  }));

  connection.onDidChangeConfiguration(guard('configuration', undefined, async (change) => {
    const given = (change.settings as Record<string, unknown> | null)?.chokepoint;
    if (given) settings = readSettings(given, settings);
    else await pullSettings();
    scheduleAll();
  }));

  connection.onDidOpenTextDocument(guard('didOpen', undefined, (params) => {
    const { uri, version, text } = params.textDocument;
    documents.get(uri)?.dispose();
    documents.set(uri, new SourceDocument(uri, version, text));
    schedule(uri, 0);
  }));

  connection.onDidChangeTextDocument(guard('didChange', undefined, (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return;
    doc.applyChanges(params.contentChanges, params.textDocument.version);
    schedule(doc.uri);
  }));

  connection.onDidCloseTextDocument(guard('didClose', undefined, (params) => {
    const uri = params.textDocument.uri;
    documents.get(uri)?.dispose();
    documents.delete(uri);
    findingsByUri.delete(uri);
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    // The file on disk is what the rest of the workspace sees from now on.
    if (uri.startsWith('file:') && parser) {
      if (indexFile(fileURLToPath(uri), uri)) scheduleAll();
    } else if (index.remove(uri)) {
      scheduleAll();
    }
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  }));

  connection.onDidChangeWatchedFiles(guard('didChangeWatchedFiles', undefined, async (params) => {
    await parserReady;
    let changed = false;
    const configChanged = params.changes.some((c) => c.uri.startsWith('file:') && path.basename(fileURLToPath(c.uri)) === CONFIG_FILE);
    if (configChanged) {
      configs = workspaceRoots.map(loadConfig);
      publishConfigProblems();
      for (const uri of documents.keys()) if (excluded(uri)) index.remove(uri);
      scheduleAll();
      void indexWorkspace().catch((error) => logError('indexing the workspace', error));
    }
    for (const change of params.changes) {
      if (documents.has(change.uri) || !change.uri.startsWith('file:') || !/\.(exs?|[cm]?[jt]sx?)$/.test(change.uri) || excluded(change.uri)) continue;
      changed = (change.type === FileChangeType.Deleted ? index.remove(change.uri) : indexFile(fileURLToPath(change.uri), change.uri)) || changed;
    }
    if (changed) {
      indexChanged();
      scheduleAll();
    }
  }));

  connection.onCodeLens(guard('codeLens', [], async (params, token) => {
    await parserReady;
    throwIfCancelled(token);
    const doc = documents.get(params.textDocument.uri);
    const model = doc && modelOf(doc);
    if (!model || !settings.enable || model.serializers.length === 0) return [];
    return codeLenses(describe(model.serializers), clientCommands.has(RUN_CHECKLIST_COMMAND));
  }));

  connection.onRequest(PROCESS_MAP_REQUEST, guard('process map', [] as SerializerInfo[], async (_params: unknown, token: CancellationToken) => {
    await parserReady;
    throwIfCancelled(token);
    for (const doc of documents.values()) modelOf(doc); // open files as they are now, not as on disk
    const all = await describeAll(token);
    return all.sort((a, b) => a.label.localeCompare(b.label) || a.uri.localeCompare(b.uri));
  }));

  connection.onRequest(SERIALIZER_AT_REQUEST, guard('serializerAt', null as SerializerInfo | null, async (params: { uri: string; position?: Position; name?: string }, token: CancellationToken) => {
    await parserReady;
    throwIfCancelled(token);
    const doc = documents.get(params.uri);
    const model = doc ? modelOf(doc) : index.model(params.uri);
    if (!model) return null;
    const found = params.name !== undefined
      ? model.serializers.find((s) => s.name === params.name)
      : params.position && serializerAt(model, params.position);
    return found ? describe([found])[0] : null;
  }));

  connection.onHover(guard('hover', null, async (params, token) => {
    await parserReady;
    throwIfCancelled(token);
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const model = modelOf(doc);
    if (!model) return null;
    const findings = findingsByUri.get(doc.uri) ?? analyze(doc);
    return hoverAt(model, findings, params.position, {
      serializer: (name) => {
        const s = index.serializer(name);
        if (!s) return undefined;
        const owner = index.model(s.uri);
        return { serializer: s, findings: owner ? analyzeFile(owner, index.context(), { rules: rulesFor(s.uri), log }) : [] };
      },
      project: index.context(),
    });
  }));

  connection.onCodeAction(guard('codeAction', [], async (params, token) => {
    await parserReady;
    throwIfCancelled(token);
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const model = modelOf(doc);
    if (!model) return [];
    let actions: CodeAction[] = [];
    const eol = doc.text.includes('\r\n') ? '\r\n' : '\n';
    const commentPrefix = isTypeScriptUri(doc.uri) ? '//' : '#';
    /** Serializers the user is looking at: their declaration or name is in the range, or one of their findings is. */
    const checklistFor = new Set<string>();
    for (const s of model.serializers) {
      const lines = [s.declaration.start.line, s.nameRange.start.line];
      if (lines.some((l) => l >= params.range.start.line && l <= params.range.end.line)) checklistFor.add(s.name);
    }
    for (const diagnostic of params.context.diagnostics) {
      throwIfCancelled(token); // a rule's refactoring may read and parse several files
      if (diagnostic.code === UNUSED_SUPPRESSION && diagnostic.range && (diagnostic.source ?? 'chokepoint') === 'chokepoint') {
        actions.push(removeSuppression(doc, diagnostic));
        continue;
      }
      const ruleId = ruleOf(diagnostic);
      if (!ruleId || !diagnostic.range) continue;
      actions.push(...ruleFixes(doc, model, ruleId, diagnostic));
      const line = diagnostic.range.start.line;
      if (!model.linesInsideStrings.includes(line)) {
        const indent = /^\s*/.exec(doc.lineIndex.lineText(line))![0];
        actions.push({
          title: `Disable ${ruleId} for this line`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: { changes: { [doc.uri]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}${suppressionComment(commentPrefix, ruleId)}${eol}` }] } },
        });
      }
      checklistFor.add(findingsByUri.get(doc.uri)?.find((f) => f.ruleId === ruleId && sameRange(f.range, diagnostic.range))?.serializer ?? '');
      actions.push({
        title: `Disable ${ruleId} for the entire file`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: { changes: { [doc.uri]: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `${commentPrefix} chokepoint-disable-file ${ruleId}${eol}` }] } },
      });
    }
    actions = mergeSameFixes(actions);
    if (clientCommands.has(RUN_CHECKLIST_COMMAND)) {
      for (const s of model.serializers.filter((s) => checklistFor.has(s.name))) {
        const label = s.language === 'typescript' ? s.registration.text : s.name;
        actions.push({
          title: `Run the process checklist for ${label}`,
          kind: CodeActionKind.Refactor,
          command: { title: 'Run the process checklist', command: RUN_CHECKLIST_COMMAND, arguments: [{ uri: s.uri, name: s.name } satisfies SerializerRef] },
        });
      }
    }
    return actions;
  }));

  connection.onShutdown(() => {
    clearTimeout(indexChangedTimer);
    for (const timer of timers.values()) clearTimeout(timer);
    for (const doc of documents.values()) doc.dispose();
    documents.clear();
  });

  connection.listen();
}

/**
 * One action per refactoring: two findings on the same line (repo-in-server and stateless-server on
 * `use GenServer`) may offer the same fix; it is listed once, for both diagnostics.
 */
function mergeSameFixes(actions: CodeAction[]): CodeAction[] {
  const out: CodeAction[] = [];
  const seen = new Map<string, CodeAction>();
  for (const action of actions) {
    const key = `${action.kind}\u0000${action.title}\u0000${JSON.stringify(action.edit)}`;
    const first = seen.get(key);
    if (first) {
      first.diagnostics = [...(first.diagnostics ?? []), ...(action.diagnostics ?? [])];
      continue;
    }
    seen.set(key, action);
    out.push(action);
  }
  return out;
}

/** Deletes a suppression comment: its whole line when it stands alone, else the comment at the end of the line. */
function removeSuppression(doc: SourceDocument, diagnostic: Diagnostic): CodeAction {
  const { start, end } = diagnostic.range;
  const text = doc.lineIndex.lineText(start.line);
  const alone = text.slice(0, start.character).trim() === '' && start.line === end.line;
  const range = alone
    ? { start: { line: start.line, character: 0 }, end: start.line + 1 < doc.lineIndex.lineCount ? { line: start.line + 1, character: 0 } : { line: start.line, character: text.length } }
    : { start: { line: start.line, character: text.slice(0, start.character).trimEnd().length }, end };
  return {
    title: 'Remove unused suppression comment',
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: true,
    edit: { changes: { [doc.uri]: [{ range, newText: '' }] } },
  };
}

/** The rule of one of our diagnostics as a client sends it back (some clients drop `source` or `data`). */
function ruleOf(diagnostic: Diagnostic): string | undefined {
  const data = diagnostic.data as { ruleId?: unknown } | undefined;
  const id = typeof data?.ruleId === 'string' ? data.ruleId : diagnostic.code;
  if (typeof id !== 'string' || !ruleById(id)) return undefined;
  return diagnostic.source === undefined || diagnostic.source === 'chokepoint' ? id : undefined;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** From this many files, the background index is parsed in a worker thread, this many files a message. */
const INDEX_WORKER_THRESHOLD = 200;
const INDEX_BATCH = 64;

function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

process.on('uncaughtException', (error) => {
  process.stderr.write(`[chokepoint] uncaught: ${error.stack ?? error.message}\n`);
});
process.on('unhandledRejection', (error) => {
  process.stderr.write(`[chokepoint] unhandled rejection: ${String(error)}\n`);
});

startServer(createConnection(ProposedFeatures.all));
