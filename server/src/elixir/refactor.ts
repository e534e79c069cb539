// Elixir refactorings the quick fixes are made of. Rules decide which fix a finding gets; this module
// knows Elixir syntax and turns a decision into text edits, re-parsing the files it edits. Every
// operation either returns complete edits or a reason it cannot be done for this code: never a half-edit.
import type { Node, Tree } from 'web-tree-sitter';
import type { ChildSpec, FunctionClause, Handler, ProjectContext, Range, Refactoring, Serializer, TextEdit } from '../model';
import { LineIndex } from '../positions';
import { rebinds as rebindsNode, walkNamed } from './frontend';
import { createTypeScriptRefactorer } from '../typescript/lazy';
import type { ElixirParser } from './parser';

/** Reads the current text of a workspace file (the editor's buffer when it is open). */
export type ReadText = (uri: string) => string | undefined;

interface Source {
  uri: string;
  text: string;
  lines: LineIndex;
  tree: Tree;
}

const REPLY_TAGS = /^:(reply|noreply)$/;

export class ElixirRefactorer {
  private readonly sources = new Map<string, Source | null>();
  private typescriptRefactorer: ReturnType<typeof createTypeScriptRefactorer> | undefined;

  constructor(private readonly parser: ElixirParser, private readonly read: ReadText, private readonly project: ProjectContext) {}

  // The Node fixes live with the TypeScript front end (its compiler loaded at the first one); this class
  // answers for both languages.
  private get typescript() {
    this.typescriptRefactorer ??= createTypeScriptRefactorer(this.read);
    return this.typescriptRefactorer;
  }

  dropLock(uri: string, range: Range): Refactoring {
    return this.typescript.dropLock(uri, range);
  }

  recoverChain(uri: string, range: Range): Refactoring {
    return this.typescript.recoverChain(uri, range);
  }

  lockPerKey(uri: string, declaration: Range, sections: { head: Range; key: string }[]): Refactoring {
    return this.typescript.lockPerKey(uri, declaration, sections);
  }

  /** Frees the trees this refactorer parsed. */
  dispose(): void {
    for (const source of this.sources.values()) source?.tree.delete();
    this.sources.clear();
  }

  private source(uri: string): Source | undefined {
    if (!this.sources.has(uri)) {
      const text = this.read(uri);
      this.sources.set(uri, text === undefined ? null : { uri, text, lines: new LineIndex(text), tree: this.parser.parse(text) });
    }
    return this.sources.get(uri) ?? undefined;
  }

  /** The `def` call node a model range names. */
  private nodeAt(source: Source, range: Range, type = 'call'): Node | undefined {
    const start = source.lines.offset(range.start);
    const end = source.lines.offset(range.end);
    let node: Node | null = source.tree.rootNode.descendantForIndex(start, Math.max(start, end - 1));
    while (node && !(node.startIndex === start && node.endIndex === end && node.type === type)) node = node.parent;
    return node ?? undefined;
  }

  /**
   * Moves the work of the handlers for `tags` into the client functions that send those messages, and
   * deletes the handlers. Only for handlers that neither read nor change the state, with one clause per
   * message, a message pattern of a tag and plain variables, and replies `{:reply, value, state}` or
   * `{:noreply, state}`; and only when every sender is one of the server's own client functions.
   */
  inlineHandlers(server: Serializer, tags: string[], stateFrom?: string): Refactoring {
    const source = this.source(server.uri);
    if (!source) return { reason: `cannot read ${server.uri}` };
    const edits: TextEdit[] = [];
    const deleted: Handler[] = [];
    for (const tag of tags) {
      const result = this.inlineOne(source, server, tag, stateFrom);
      if ('reason' in result) return result;
      edits.push(...result.edits);
      deleted.push(...result.deleted);
    }
    edits.push(...this.deleteClauses(source, server, deleted));
    return { edits };
  }

  /**
   * `stateFrom`: an expression that reads the state where the caller runs (an ETS lookup); then a
   * callback that reads the state moves too, with its state bound to it.
   */
  private inlineOne(source: Source, server: Serializer, tag: string, stateFrom?: string): { edits: TextEdit[]; deleted: Handler[] } | { reason: string } {
    const handlers = server.handlers.filter((h) => (h.kind === 'handle_call' || h.kind === 'handle_cast') && h.tag === tag);
    if (handlers.length !== 1) return { reason: `the message :${tag} has ${handlers.length} callback clauses` };
    const handler = handlers[0];
    const movable = handler.stateUse === 'ignored' || handler.stateUse === 'unchanged' || (stateFrom !== undefined && handler.stateUse === 'read');
    if (!movable) return { reason: `${handler.name}(${handler.message}) uses the state` };
    const def = this.nodeAt(source, handler.range);
    if (!def) return { reason: 'the callback could not be found in the current text' };
    const head = argumentsOf(def)[0];
    if (!head || head.type !== 'call') return { reason: 'the callback has a guard or an unusual head' };
    const params = argumentsOf(head);
    const pattern = messageParts(params[0]);
    if (!pattern || !pattern.rest.every((p) => p.type === 'identifier')) return { reason: 'the message pattern is more than a tag and variables' };
    if (handler.kind === 'handle_call' && params[1] && !params[1].text.startsWith('_') && mentions(bodyNodes(def), params[1].text)) {
      return { reason: 'the callback uses the caller (from)' };
    }
    const stateName = params[params.length - 1]?.text ?? '';
    const body = bodyNodes(def);
    if (body.length === 0) return { reason: 'the callback has no body' };
    // The reply tuples become the value the client function returns.
    const replacements: { node: Node; text: string }[] = [];
    let problem: string | undefined;
    forEachReturnTuple(body, (tuple) => {
      const items = tuple.namedChildren.filter(Boolean) as Node[];
      const first = items[0]?.text ?? '';
      if (!REPLY_TAGS.test(first)) return void (problem ??= `it returns ${first} tuples`);
      const isCall = first === ':reply';
      const state = items[isCall ? 2 : 1];
      if (!state || !(state.text === stateName || state.type === 'atom' || state.type === 'nil')) return void (problem ??= 'a reply changes the state');
      replacements.push({ node: tuple, text: isCall ? items[1].text : ':ok' });
    });
    if (problem) return { reason: problem };
    if (replacements.length === 0) return { reason: 'no reply tuple could be followed' };
    const readsState = mentions(body, stateName, replacements.map((r) => r.node)) || replacements.some((r) => new RegExp(`(?<![\\w@:.])${stateName}(?![\\w?!:])`).test(r.text));
    if (readsState && (stateFrom === undefined || !/^[a-z_]\w*$/.test(stateName) || stateName.startsWith('_'))) return { reason: 'the callback reads the state' };

    // The senders: client functions whose whole body is GenServer.call/cast(__MODULE__, message).
    const op = handler.kind === 'handle_call' ? 'call' : 'cast';
    const senders = server.functions.filter((f) => f.visibility === 'public' && f.calls.some((c) => c.serverCall?.op === op && c.serverCall.tag === tag));
    if (senders.length === 0) return { reason: `no client function sends :${tag}` };
    const outside = this.project.callers(server).filter((c) => c.site.serverCall?.tag === tag);
    if (outside.length > 0) return { reason: `${outside[0].module} sends :${tag} to the server directly` };
    const edits: TextEdit[] = [];
    for (const sender of senders) {
      const senderDef = this.nodeAt(source, sender.range);
      const senderBody = senderDef ? bodyNodes(senderDef) : [];
      const call = senderBody.length === 1 ? senderBody[0] : undefined;
      const message = call ? sentMessage(call, op, ownNames(server)) : undefined;
      if (!senderDef || !message) return { reason: `${sender.name}/${sender.arity} does more than send the message` };
      const parts = messageParts(message);
      if (!parts || parts.rest.length !== pattern.rest.length) return { reason: `${sender.name}/${sender.arity} sends a message of another shape` };
      const bindings: string[] = readsState ? [`${stateName} = ${stateFrom}`] : [];
      pattern.rest.forEach((p, i) => {
        const value = parts.rest[i];
        if (p.text.startsWith('_')) {
          if (value.type !== 'identifier') bindings.push(`_ = ${value.text}`);
          else problem ??= `the callback ignores ${value.text}`;
        } else if (p.text !== value.text) {
          bindings.push(`${p.text} = ${value.text}`);
        }
      });
      if (problem) return { reason: problem };
      const bodyText = replaceNodes(source.text, body, replacements);
      const indent = `${indentOf(source.lines, senderDef)}  `;
      const from = source.lines.position(body[0].startIndex).character;
      if (from !== indent.length && bodyText.includes('\n') && hasMultilineLiteral(body)) return { reason: 'moving the body would change a multi-line string' };
      const lines = [...bindings, ...reindent(bodyText.split(/\r?\n/), from)];
      const head = argumentsOf(senderDef)[0]!;
      const eol = source.text.includes('\r\n') ? '\r\n' : '\n';
      const text = `${source.text.slice(senderDef.startIndex, head.endIndex)} do${eol}${lines.map((l) => (l ? `${indent}${l}` : '')).join(eol)}${eol}${indentOf(source.lines, senderDef)}end`;
      edits.push({ uri: source.uri, range: source.lines.range(senderDef.startIndex, senderDef.endIndex), newText: text });
    }
    return { edits, deleted: [handler] };
  }

  /** Deletes callback clauses (with the `@impl` line above them), keeping `@impl` on the clauses that remain. */
  private deleteClauses(source: Source, server: Serializer, clauses: FunctionClause[]): TextEdit[] {
    const edits: TextEdit[] = [];
    const gone = new Set(clauses);
    for (const clause of clauses) {
      const def = this.nodeAt(source, clause.range);
      if (!def) continue;
      const hadImpl = implAbove(source, def);
      edits.push(deleteLines(source, hadImpl ? hadImpl.start.line : source.lines.position(def.startIndex).line, source.lines.position(def.endIndex).line));
      // The clause carried the function's @impl: the first remaining clause of the same callback needs it now.
      const remaining = server.handlers.filter((h) => h.name === clause.name && h.arity === clause.arity && !gone.has(h));
      if (hadImpl && remaining.length > 0) {
        const next = this.nodeAt(source, remaining[0].range);
        if (next && !implAbove(source, next)) {
          const line = source.lines.position(next.startIndex).line;
          edits.push({ uri: source.uri, range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indentOf(source.lines, next)}@impl true\n` });
        }
      }
    }
    return edits;
  }

  /**
   * A stateless server as a plain module: every message's work moves into its client function, and
   * `use GenServer`, `start_link`, `init`, the remaining callbacks and the server's entries in the
   * supervisors' children lists go.
   */
  toPlainModule(server: Serializer): Refactoring {
    if (server.kind !== 'GenServer') return { reason: 'only GenServers are converted' };
    const source = this.source(server.uri);
    if (!source) return { reason: `cannot read ${server.uri}` };
    const tags = [...new Set(server.handlers.filter((h) => h.kind === 'handle_call' || h.kind === 'handle_cast').map((h) => h.tag))];
    if (tags.some((t) => t === undefined)) return { reason: 'a callback matches messages without a tag' };
    const inlined = this.inlineHandlers(server, tags as string[]);
    if ('reason' in inlined) return inlined;
    const edits = [...inlined.edits];
    // Everything that made it a process.
    const rest = server.handlers.filter((h) => h.kind !== 'handle_call' && h.kind !== 'handle_cast');
    if (rest.some((h) => h.kind !== 'init' && h.kind !== 'handle_info' && h.kind !== 'terminate' && h.kind !== 'code_change')) return { reason: 'it has callbacks of another kind' };
    const starters = server.functions.filter((f) => ['start_link', 'start', 'child_spec'].includes(f.name));
    edits.push(...this.deleteClauses(source, server, [...rest, ...starters]));
    const use = this.nodeAt(source, server.declaration);
    if (!use) return { reason: 'the use GenServer line could not be found' };
    edits.push(deleteLines(source, source.lines.position(use.startIndex).line, source.lines.position(use.endIndex).line));
    // Other modules may not start it any more.
    const startedElsewhere = this.startCalls(server);
    if (startedElsewhere) return { reason: startedElsewhere };
    edits.push(...unusedAfter(source, edits));
    for (const child of this.project.supervision(server).static) {
      const removal = this.removeChild(child);
      if ('reason' in removal) return removal;
      edits.push(...removal.edits);
    }
    if (this.project.supervision(server).dynamic.length > 0) return { reason: 'it is started with DynamicSupervisor.start_child' };
    return { edits: mergeLineDeletions(edits) };
  }

  /** Where other code starts the server by hand: a plain module cannot be started. */
  private startCalls(server: Serializer): string | undefined {
    const module = this.project.module(server.name);
    for (const other of this.project.knownModules) {
      const info = this.project.module(other);
      if (!info || info === module) continue;
      for (const fn of info.functions) {
        const start = fn.calls.find((c) => c.module === server.name && /^(start|start_link|child_spec)$/.test(c.fn));
        if (start) return `${other} calls ${server.name}.${start.fn}`;
      }
    }
    return undefined;
  }

  /**
   * Replaces `GenServer.call(Server, {:get, id})` by `Server.get(id)`: the server's client function that
   * sends the same message, or one this adds to the server when there is none.
   */
  useClientFunction(callerUri: string, range: Range, server: Serializer): Refactoring & { title?: string } {
    const caller = this.source(callerUri);
    const home = this.source(server.uri);
    if (!caller || !home) return { reason: 'cannot read the files' };
    const call = this.nodeAt(caller, range);
    const target = call?.childForFieldName('target');
    const op = target?.type === 'dot' ? target.childForFieldName('right')?.text : undefined;
    const args = call ? argumentsOf(call) : [];
    if (!call || target?.childForFieldName('left')?.text !== 'GenServer' || (op !== 'call' && op !== 'cast') || args.length !== 2) {
      return { reason: 'only GenServer.call/cast with two arguments are replaced' };
    }
    const parts = messageParts(args[1]);
    if (!parts) return { reason: 'the message is not a tag with values' };
    const receiver = args[0].type === 'alias' ? args[0].text : server.name;
    // A client function whose whole body sends this message with its own parameters, each once.
    for (const fn of server.functions) {
      if (fn.visibility !== 'public' || fn.minArity !== undefined) continue;
      const def = this.nodeAt(home, fn.range);
      const body = def ? bodyNodes(def) : [];
      const sent = body.length === 1 ? sentMessage(body[0], op, ownNames(server)) : undefined;
      const mine = messageParts(sent);
      const head = def ? argumentsOf(def)[0] : undefined;
      const params = head?.type === 'call' ? argumentsOf(head) : [];
      if (!mine || mine.tag !== parts.tag || mine.rest.length !== parts.rest.length || params.length !== fn.arity) continue;
      if (!params.every((p) => p.type === 'identifier') || !mine.rest.every((m) => m.type === 'identifier')) continue;
      const order = params.map((p) => mine.rest.findIndex((m) => m.text === p.text));
      if (order.some((i) => i < 0) || new Set(order).size !== order.length || order.length !== mine.rest.length) continue;
      const text = `${receiver}.${fn.name}(${order.map((i) => parts.rest[i].text).join(', ')})`;
      return { edits: [{ uri: callerUri, range: caller.lines.range(call.startIndex, call.endIndex), newText: text }], title: `Call ${server.name}.${fn.name}/${fn.arity} instead` };
    }
    // None: add one named after the message's tag.
    const name = parts.tag.replace(/^:/, '');
    if (!/^[a-z_][a-zA-Z0-9_]*[?!]?$/.test(name) || server.functions.some((f) => f.name === name)) return { reason: `${server.name} already has a function named ${name}` };
    const used = new Set<string>();
    const vars = parts.rest.map((value, i) => {
      const candidate = value.type === 'identifier' && !value.text.startsWith('_') && !used.has(value.text) ? value.text : `arg${i + 1}`;
      used.add(candidate);
      return candidate;
    });
    const message = parts.rest.length === 0 ? parts.tag : `{${[parts.tag, ...vars].join(', ')}}`;
    // The new function addresses the server as it registers: `__MODULE__`, or `:inventory` / `@name`.
    const registration = server.registration;
    const self = registration.kind === 'name' && registration.name !== server.name && registration.text ? registration.text : '__MODULE__';
    const anchor = [...server.functions].reverse().find((f) => f.visibility === 'public' && !/^(init|handle_|terminate|code_change)/.test(f.name)) ?? undefined;
    const anchorNode = anchor ? this.nodeAt(home, anchor.range) : this.nodeAt(home, server.declaration);
    if (!anchorNode) return { reason: 'no place for the client function' };
    const indent = indentOf(home.lines, anchorNode);
    const line = home.lines.position(anchorNode.endIndex).line + 1;
    const definition = `\n${indent}def ${name}(${vars.join(', ')}), do: GenServer.${op}(${self}, ${message})\n`;
    const replacement = `${receiver}.${name}(${parts.rest.map((v) => v.text).join(', ')})`;
    return {
      title: `Add ${server.name}.${name}/${vars.length} and call it`,
      edits: [
        { uri: server.uri, range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: definition },
        { uri: callerUri, range: caller.lines.range(call.startIndex, call.endIndex), newText: replacement },
      ],
    };
  }

  /**
   * Puts a process started by hand under supervision:
   * - in an Application's start/2, `{:ok, _} = Mod.start_link(arg)` becomes `{Mod, arg}` at the head of
   *   its children (started first, as before);
   * - elsewhere, `Mod.start_link(arg)` / `Mod.start(arg)` becomes `DynamicSupervisor.start_child(Sup, {Mod, arg})`
   *   with the application's named DynamicSupervisor (both return `{:ok, pid}`), and a `spawn(fn)` whose
   *   result is not used becomes `Task.Supervisor.start_child(Sup, fn)` with its named Task.Supervisor.
   */
  superviseStart(uri: string, range: Range, enclosing: { module: string; function: string }): Refactoring {
    const source = this.source(uri);
    const call = source && this.nodeAt(source, range);
    if (!source || !call) return { reason: 'the start call could not be found' };
    const target = call.childForFieldName('target');
    const args = argumentsOf(call);
    const application = [...this.project.knownModules].map((m) => this.project.module(m)!).find((m) => m.supervisor === 'application');
    if (!application) return { reason: 'no Application module in the workspace' };
    const appChildren = application.children.filter((c) => !c.dynamic);
    const named = (module: string) => appChildren.map((c) => c.registration).find((r, i) => appChildren[i].module === module && r?.kind === 'name' && r.name)?.name;

    if (target?.type === 'identifier' && (target.text === 'spawn' || target.text === 'spawn_link')) {
      const supervisor = named('Task.Supervisor');
      if (!supervisor) return { reason: 'the application starts no named Task.Supervisor' };
      if (args.length !== 1 || args[0].type !== 'anonymous_function') return { reason: 'only spawn(fn -> … end) is rewritten' };
      if (!isDiscarded(call)) return { reason: 'the pid spawn returns is used' };
      if (enclosing.module === application.name && enclosing.function === 'start') return { reason: 'the Task.Supervisor is not running yet in Application.start/2' };
      return { edits: [{ uri, range, newText: `Task.Supervisor.start_child(${supervisor}, ${args[0].text})` }], title: `Run it under ${supervisor}` };
    }
    if (target?.type !== 'dot' || !/^(start|start_link)$/.test(target.childForFieldName('right')?.text ?? '')) return { reason: 'only Mod.start/start_link calls are rewritten' };
    const module = this.project.serializerNamed(this.moduleName(target.childForFieldName('left')!, uri, range) ?? '');
    if (!module || args.length > 1) return { reason: 'the started module is not a server with a one-argument start_link' };
    if (!module.functions.some((f) => f.name === 'start_link' && f.arity === 1)) return { reason: `${module.name} has no start_link/1 for a child spec` };
    const arg = args[0] ? (args[0].type === 'keywords' ? `[${args[0].text}]` : args[0].text) : '[]';
    const spec = `{${module.name}, ${arg}}`;

    if (enclosing.module === application.name && enclosing.function === 'start') {
      const statement = statementOf(call);
      if (!statement || !discardsResult(statement, call)) return { reason: 'the result of the start call is used' };
      const first = appChildren[0];
      const firstNode = first && first.uri === uri ? findNodeByRange(source, first.range) : undefined;
      if (!firstNode || firstNode.parent?.type !== 'list') return { reason: "the application's children are not a plain list here" };
      const lineStart = startOfLineIfOnlyIndent(source, firstNode.startIndex);
      const indent = source.text.slice(lineStart, firstNode.startIndex);
      const insert = lineStart === firstNode.startIndex ? { at: firstNode.startIndex, text: `${spec}, ` } : { at: lineStart, text: `${indent}${spec},\n` };
      const lines = source.lines;
      return {
        title: `Start ${module.name} in ${application.name}'s children`,
        edits: [
          deleteLines(source, lines.position(statement.startIndex).line, lines.position(statement.endIndex).line),
          { uri, range: lines.range(insert.at, insert.at), newText: insert.text },
        ],
      };
    }
    const supervisor = named('DynamicSupervisor');
    if (!supervisor) return { reason: 'the application starts no named DynamicSupervisor' };
    // :temporary keeps what the hand-started process did when it stopped: it stays stopped.
    return { edits: [{ uri, range, newText: `DynamicSupervisor.start_child(${supervisor}, Supervisor.child_spec(${spec}, restart: :temporary))` }], title: `Start it under ${supervisor}` };
  }

  /** The module an alias in the file names, through the model's resolved calls at that place. */
  private moduleName(node: Node, uri: string, range: Range): string | undefined {
    for (const name of this.project.knownModules) {
      const info = this.project.module(name)!;
      if (info.uri !== uri) continue;
      for (const fn of info.functions) {
        const call = fn.calls.find((c) => c.range.start.line === range.start.line && c.range.start.character === range.start.character);
        if (call?.module) return call.module;
      }
    }
    return node.type === 'alias' ? node.text : undefined;
  }

  /**
   * A callback that calls its own server (`GenServer.call(self(), :count)`, or a client function that
   * does) computes the answer directly instead: the work of the callback for that message moves into a
   * private function of the message's values and the state, which both that callback and the self-call use.
   */
  callWorkDirectly(server: Serializer, caller: Handler, range: Range): Refactoring {
    const source = this.source(server.uri);
    const site = source && this.nodeAt(source, range);
    if (!source || !site) return { reason: 'the call could not be found' };
    const callerDef = this.nodeAt(source, caller.range);
    const callerParams = callerDef ? argumentsOf(argumentsOf(callerDef)[0] ?? callerDef) : [];
    const stateVar = callerParams[callerParams.length - 1];
    if (!stateVar || stateVar.type !== 'identifier' || stateVar.text.startsWith('_')) return { reason: 'the calling callback does not name its state' };
    // The message the site sends: directly, or through a client function whose body sends it.
    let message: Node | undefined;
    let values: string[];
    const direct = sentMessageTo(site);
    if (direct) {
      message = direct;
      values = messageParts(direct)?.rest.map((n) => n.text) ?? [];
    } else {
      const fnName = site.childForFieldName('target')?.text;
      const client = server.functions.find((f) => f.visibility === 'public' && f.name === fnName && f.arity === argumentsOf(site).length);
      const clientDef = client && this.nodeAt(source, client.range);
      const body = clientDef ? bodyNodes(clientDef) : [];
      message = body.length === 1 ? sentMessage(body[0], 'call', ownNames(server)) : undefined;
      const head = clientDef ? argumentsOf(clientDef)[0] : undefined;
      const params = head?.type === 'call' ? argumentsOf(head).map((p) => p.text) : [];
      const args = argumentsOf(site).map((a) => a.text);
      const parts = messageParts(message);
      if (!parts || !parts.rest.every((e) => params.includes(e.text))) return { reason: 'the client function sends values it computes' };
      values = parts.rest.map((e) => args[params.indexOf(e.text)]);
    }
    const parts = messageParts(message);
    if (!parts) return { reason: 'the message is not a tag with values' };
    const tag = parts.tag.slice(1);
    const targets = server.handlers.filter((h) => h.kind === 'handle_call' && h.tag === tag);
    if (targets.length !== 1) return { reason: `the message :${tag} has ${targets.length} handle_call clauses` };
    const target = targets[0];
    if (target === caller) return { reason: 'the callback sends its own message' };
    if (target.stateUse === 'changed' || target.stateUse === 'unknown') return { reason: `handle_call(${target.message}) changes the state` };
    const def = this.nodeAt(source, target.range);
    const head = def ? argumentsOf(def)[0] : undefined;
    const params = head?.type === 'call' ? argumentsOf(head) : [];
    const pattern = messageParts(params[0]);
    if (!def || !head || !pattern || !pattern.rest.every((p) => p.type === 'identifier' && !p.text.startsWith('_'))) return { reason: 'the message pattern is more than a tag and variables' };
    if (params[1] && !params[1].text.startsWith('_')) return { reason: 'the callback uses the caller (from)' };
    const state = params[2];
    const body = bodyNodes(def);
    const replacements: { node: Node; text: string }[] = [];
    let problem: string | undefined;
    forEachReturnTuple(body, (tuple) => {
      const items = tuple.namedChildren.filter(Boolean) as Node[];
      if (items[0]?.text !== ':reply' || items.length < 3 || items[2].text !== state?.text) problem ??= 'a reply is not {:reply, value, state}';
      else replacements.push({ node: tuple, text: items[1].text });
    });
    if (problem || replacements.length === 0) return { reason: problem ?? 'no reply could be followed' };
    const helper = `${tag.replace(/[?!]$/, '')}_reply`;
    if (!/^[a-z_]\w*$/.test(helper) || server.functions.some((f) => f.name === helper)) return { reason: `${helper} is taken` };
    const bodyText = replaceNodes(source.text, body, replacements);
    // The helper takes the state only when its body (the replies' values included) reads it.
    const usesState = !!state && !state.text.startsWith('_') && new RegExp(`(?<![\\w@:.])${state.text}(?![\\w?!:])`).test(bodyText);
    const helperParams = [...pattern.rest.map((p) => p.text), ...(usesState ? [state!.text] : [])];
    const indent = indentOf(source.lines, def);
    const from = source.lines.position(body[0].startIndex).character;
    if (from !== indent.length + 2 && bodyText.includes('\n') && hasMultilineLiteral(body)) return { reason: 'moving the body would change a multi-line string' };
    const eol = source.text.includes('\r\n') ? '\r\n' : '\n';
    const helperText = [`${indent}defp ${helper}(${helperParams.join(', ')}) do`, ...reindent(bodyText.split(/\r?\n/), from).map((l) => (l ? `${indent}  ${l}` : '')), `${indent}end`].join(eol);
    const headText = source.text.slice(def.startIndex, head.endIndex);
    const callArgs = [...pattern.rest.map((p) => p.text), ...(usesState ? [state!.text] : [])];
    const newTarget = `${headText}, do: {:reply, ${helper}(${callArgs.join(', ')}), ${state?.text ?? 'state'}}`;
    const siteArgs = [...values, ...(usesState ? [stateVar.text] : [])];
    // At the end of the module: between the clauses of one function it would split them.
    const lastLine = server.moduleRange.end.line - 1;
    return {
      title: `Call ${helper}/${helperParams.length} instead of the server`,
      edits: [
        { uri: source.uri, range: source.lines.range(site.startIndex, site.endIndex), newText: `${helper}(${siteArgs.join(', ')})` },
        { uri: source.uri, range: source.lines.range(def.startIndex, def.endIndex), newText: newTarget },
        { uri: source.uri, range: { start: { line: lastLine + 1, character: 0 }, end: { line: lastLine + 1, character: 0 } }, newText: `${eol}${helperText}${eol}` },
      ],
    };
  }

  /**
   * A singleton Agent used as a global variable, as :persistent_term: the value is put at start-up
   * (start_link returns :ignore, so the supervisor keeps no process), reads take it in the caller, and
   * updates put the new value. Only for Agents whose client functions are exactly Agent.get/update on
   * the module with a function of the value. Updates are no longer serialized: last writer wins.
   */
  toPersistentTerm(server: Serializer): Refactoring {
    if (server.kind !== 'Agent') return { reason: 'only Agents are converted' };
    const raw = this.project.callers(server).find((c) => c.site.serverCall);
    if (raw) return { reason: `${raw.module} calls the Agent directly` };
    const source = this.source(server.uri);
    if (!source) return { reason: `cannot read ${server.uri}` };
    const edits: TextEdit[] = [];
    const term = ':persistent_term.get(__MODULE__)';
    const eol = source.text.includes('\r\n') ? '\r\n' : '\n';
    for (const fn of server.functions) {
      const def = this.nodeAt(source, fn.range);
      const body = def ? bodyNodes(def) : [];
      const call = body.length === 1 && body[0].type === 'call' ? body[0] : undefined;
      const target = call?.childForFieldName('target');
      const op = target?.type === 'dot' && target.childForFieldName('left')?.text === 'Agent' ? target.childForFieldName('right')?.text : undefined;
      if (!op) {
        if (fn.calls.some((c) => c.module === 'Agent')) return { reason: `${fn.name}/${fn.arity} uses the Agent in another way` };
        continue;
      }
      const args = argumentsOf(call!);
      const head = argumentsOf(def!)[0]!;
      const indent = indentOf(source.lines, def!);
      const write = (lines: string[]) => edits.push({
        uri: source.uri, range: source.lines.range(def!.startIndex, def!.endIndex),
        newText: [`${source.text.slice(def!.startIndex, head.endIndex)} do`, ...lines.map((l) => `${indent}  ${l}`), `${indent}end`].join(eol),
      });
      if (op === 'start_link' && fn.name === 'start_link') {
        const init = args[0];
        const name = keywordOf(args[1], 'name');
        const initBody = init?.type === 'anonymous_function' ? stabBody(init) : undefined;
        if (!initBody || name?.text !== '__MODULE__' || initBody.text.includes('\n')) return { reason: 'start_link is not Agent.start_link(fn -> value end, name: __MODULE__)' };
        write([`:persistent_term.put(__MODULE__, ${initBody.text})`, ':ignore']);
        continue;
      }
      if (args[0]?.text !== '__MODULE__' || args.length !== 2) return { reason: `${fn.name}/${fn.arity} does not address the Agent by its module` };
      const applied = applyToTerm(args[1], term);
      if (!applied) return { reason: `${fn.name}/${fn.arity} passes a function that cannot be applied in place` };
      if (op === 'get') write([...applied.bindings, applied.value]);
      else if (op === 'update') write([...applied.bindings, `:persistent_term.put(__MODULE__, ${applied.value})`]);
      else return { reason: `Agent.${op} is not converted` };
    }
    const use = this.nodeAt(source, server.declaration);
    if (!use) return { reason: 'the use Agent line could not be found' };
    edits.push({
      uri: source.uri, range: source.lines.range(use.startIndex, use.endIndex),
      newText: 'def child_spec(arg), do: %{id: __MODULE__, start: {__MODULE__, :start_link, [arg]}}',
    });
    return { edits, title: `Keep ${server.name}'s value in :persistent_term` };
  }

  /**
   * A handle_call whose slow work cannot move to the caller (it reads the state) but leaves the state as
   * it is: the work runs in a task of the application's Task.Supervisor, which answers with
   * GenServer.reply/2, and the server goes on with the next message at once.
   */
  replyFromTask(server: Serializer, handler: Handler): Refactoring {
    if (handler.kind !== 'handle_call') return { reason: 'only handle_call replies later' };
    const supervisor = this.namedChild('Task.Supervisor');
    if (!supervisor) return { reason: 'the application starts no named Task.Supervisor' };
    const source = this.source(server.uri);
    const def = source && this.nodeAt(source, handler.range);
    const head = def ? argumentsOf(def)[0] : undefined;
    const params = head?.type === 'call' ? argumentsOf(head) : [];
    if (!source || !def || !head || params.length !== 3) return { reason: 'the callback has a guard or an unusual head' };
    const [, from, state] = params;
    if (from.type !== 'identifier' || state.type !== 'identifier' || state.text.startsWith('_')) return { reason: 'the callback does not name its state' };
    const body = bodyNodes(def);
    const fromName = from.text.startsWith('_') ? from.text.replace(/^_+/, '') || 'from' : from.text;
    if (from.text !== fromName && mentions(body, fromName)) return { reason: `${fromName} is already used in the callback` };
    const replacements: { node: Node; text: string }[] = [];
    let problem: string | undefined;
    forEachReturnTuple(body, (tuple) => {
      const items = tuple.namedChildren.filter(Boolean) as Node[];
      if (items[0]?.text !== ':reply' || items.length !== 3 || items[2].text !== state.text) problem ??= 'a reply changes the state';
      else replacements.push({ node: tuple, text: `GenServer.reply(${fromName}, ${items[1].text})` });
    });
    if (problem || replacements.length === 0) return { reason: problem ?? 'no reply could be followed' };
    if (body.some((n) => rebindsNode(n, state.text))) return { reason: 'the callback rebinds the state' };
    const indent = indentOf(source.lines, def);
    const from0 = source.lines.position(body[0].startIndex).character;
    const bodyText = replaceNodes(source.text, body, replacements);
    if (from0 !== indent.length + 4 && bodyText.includes('\n') && hasMultilineLiteral(body)) return { reason: 'moving the body would change a multi-line string' };
    const eol = source.text.includes('\r\n') ? '\r\n' : '\n';
    const headText = source.text.slice(head.startIndex, from.startIndex) + fromName + source.text.slice(from.endIndex, head.endIndex);
    const defKeyword = source.text.slice(def.startIndex, head.startIndex);
    const lines = [
      `${defKeyword}${headText} do`,
      `${indent}  # The slow work runs in a task that answers the caller; the server takes the next message meanwhile.`,
      `${indent}  Task.Supervisor.start_child(${supervisor}, fn ->`,
      ...reindent(bodyText.split(/\r?\n/), from0).map((l) => (l ? `${indent}    ${l}` : '')),
      `${indent}  end)`,
      '',
      `${indent}  {:noreply, ${state.text}}`,
      `${indent}end`,
    ];
    return { edits: [{ uri: source.uri, range: source.lines.range(def.startIndex, def.endIndex), newText: lines.join(eol) }], title: `Reply from a task under ${supervisor}` };
  }

  /**
   * A singleton holding one map entry per key becomes one process per key, found through a Registry and
   * started on demand under a DynamicSupervisor, with the same client API. The callbacks stay as they
   * are: each process holds the map with its own key only. Only when every callback touches one key,
   * taken from the message, and every sender is a client function of the module.
   */
  perKeyProcesses(server: Serializer): Refactoring {
    const source = this.source(server.uri);
    if (!source || server.kind !== 'GenServer') return { reason: 'only GenServers are split' };
    const served = server.handlers.filter((h) => h.kind !== 'init');
    if (served.some((h) => (h.kind !== 'handle_call' && h.kind !== 'handle_cast') || h.stateAccess !== 'keyed' || !h.tag)) return { reason: 'a callback looks at more than one key' };
    // Where each message carries its key.
    const keyPosition = new Map<string, number>();
    for (const h of served) {
      const def = this.nodeAt(source, h.range);
      const params = def ? argumentsOf(argumentsOf(def)[0] ?? def) : [];
      const pattern = messageParts(params[0]);
      const state = params[params.length - 1];
      const key = def && state?.type === 'identifier' ? keyOf(bodyNodes(def), state.text) : undefined;
      const position = pattern && key ? pattern.rest.findIndex((p) => p.type === 'identifier' && p.text === key) : -1;
      if (position < 0 || (keyPosition.has(h.tag!) && keyPosition.get(h.tag!) !== position)) return { reason: `${h.name}(${h.message}) does not take its key from the message` };
      keyPosition.set(h.tag!, position);
    }
    if (this.project.callers(server).some((c) => c.site.serverCall)) return { reason: 'other modules send it messages directly' };
    const startedElsewhere = this.startCalls(server);
    if (startedElsewhere) return { reason: startedElsewhere };
    const edits: TextEdit[] = [];
    const eol = source.text.includes('\r\n') ? '\r\n' : '\n';
    let startLink: Node | undefined;
    for (const fn of server.functions) {
      if (fn.visibility !== 'public' || /^(init|handle_|terminate|code_change|child_spec)/.test(fn.name)) continue;
      const def = this.nodeAt(source, fn.range);
      const body = def ? bodyNodes(def) : [];
      if (fn.name === 'start_link') {
        const call = body.length === 1 ? body[0] : undefined;
        const args = call?.type === 'call' ? argumentsOf(call) : [];
        if (!call || !/^GenServer\.start_link$/.test(call.childForFieldName('target')?.text ?? '') || args[0]?.text !== '__MODULE__' || keywordOf(args[2], 'name')?.text !== '__MODULE__') {
          return { reason: 'start_link is not GenServer.start_link(__MODULE__, state, name: __MODULE__)' };
        }
        startLink = def;
        continue;
      }
      if (!fn.calls.some((c) => c.serverCall)) continue;
      const call = body.length === 1 ? body[0] : undefined;
      const op = call?.childForFieldName('target')?.text;
      const message = call && (op === 'GenServer.call' || op === 'GenServer.cast') ? argumentsOf(call)[1] : undefined;
      const parts = messageParts(message);
      const position = parts ? keyPosition.get(parts.tag.slice(1)) : undefined;
      if (!call || !parts || position === undefined || argumentsOf(call)[0].text !== '__MODULE__') return { reason: `${fn.name}/${fn.arity} does more than send a keyed message` };
      const receiver = argumentsOf(call)[0];
      edits.push({ uri: source.uri, range: source.lines.range(receiver.startIndex, receiver.endIndex), newText: `server(${parts.rest[position].text})` });
    }
    if (!startLink) return { reason: 'no start_link to replace' };
    const initial = argumentsOf(bodyNodes(startLink)[0])[1].text;
    const indent = indentOf(source.lines, startLink);
    const lines = (text: string[]) => text.map((l) => (l ? `${indent}${l}` : '')).join(eol);
    edits.push({
      uri: source.uri,
      range: source.lines.range(startLink.startIndex, startLink.endIndex),
      newText: lines([
        '# One process per key, registered in a Registry and started on demand under a DynamicSupervisor.',
        'def child_spec(_opts) do',
        '  children = [',
        '    {Registry, keys: :unique, name: __MODULE__.Registry},',
        '    {DynamicSupervisor, name: __MODULE__.Supervisor, strategy: :one_for_one}',
        '  ]',
        '',
        '  %{id: __MODULE__, type: :supervisor, start: {Supervisor, :start_link, [children, [strategy: :one_for_all]]}}',
        'end',
        '',
        `def start_link(key), do: GenServer.start_link(__MODULE__, ${initial}, name: {:via, Registry, {__MODULE__.Registry, key}})`,
      ]).trimStart(),
    });
    const endLine = server.moduleRange.end.line;
    edits.push({
      uri: source.uri,
      range: { start: { line: endLine, character: 0 }, end: { line: endLine, character: 0 } },
      newText: eol + lines([
        'defp server(key) do',
        '  case Registry.lookup(__MODULE__.Registry, key) do',
        '    [{pid, _}] ->',
        '      pid',
        '',
        '    [] ->',
        '      case DynamicSupervisor.start_child(__MODULE__.Supervisor, %{id: __MODULE__, start: {__MODULE__, :start_link, [key]}}) do',
        '        {:ok, pid} -> pid',
        '        {:error, {:already_started, pid}} -> pid',
        '      end',
        '  end',
        'end',
      ]) + eol,
    });
    return { edits, title: `Run one ${server.name} process per key (Registry + DynamicSupervisor)` };
  }

  /**
   * A read-mostly GenServer keeps its state in an ETS table it owns (`:protected`, `read_concurrency:
   * true`): every state it returns from init and from the callbacks that change it is published there,
   * and the callbacks that only read it move into their client functions, which read the table. Writes
   * still go through the process; only calls change the state, so a caller always reads its own write.
   */
  readsFromEts(server: Serializer): Refactoring {
    if (server.kind !== 'GenServer') return { reason: 'only GenServers are converted' };
    const source = this.source(server.uri);
    if (!source) return { reason: `cannot read ${server.uri}` };
    if (server.handlers.some((h) => h.stateUse === 'unknown' && h.kind !== 'init' && h.kind !== 'terminate')) return { reason: 'a callback returns a state that cannot be followed' };
    const writers = server.handlers.filter((h) => h.stateUse === 'changed' && h.kind !== 'init');
    if (writers.some((h) => h.kind !== 'handle_call')) return { reason: 'a cast or message changes the state: a read right after it could miss the change' };
    const readers = server.handlers.filter((h) => h.kind === 'handle_call' && h.stateUse !== 'changed' && h.tag);
    if (readers.length === 0) return { reason: 'no callback only reads the state' };
    const init = server.handlers.find((h) => h.kind === 'init');
    if (!init || server.handlers.filter((h) => h.kind === 'init').length !== 1) return { reason: 'init/1 must have one clause' };
    const helper = 'put_state';
    if (server.functions.some((f) => f.name === helper)) return { reason: `${helper} is taken` };
    const edits: TextEdit[] = [];
    // Every state the process keeps is published first.
    for (const h of [init, ...writers]) {
      const def = this.nodeAt(source, h.range);
      if (!def) return { reason: 'a callback could not be found' };
      let problem: string | undefined;
      let count = 0;
      forEachReturnTuple(bodyNodes(def), (tuple) => {
        const items = tuple.namedChildren.filter(Boolean) as Node[];
        const index = items[0]?.text === ':ok' && h.kind === 'init' ? 1 : items[0]?.text === ':reply' ? 2 : -1;
        const state = index > 0 ? items[index] : undefined;
        if (!state) return void (problem ??= `${h.name} returns ${items[0]?.text ?? 'something'} the fix cannot follow`);
        count++;
        edits.push({ uri: source.uri, range: source.lines.range(state.startIndex, state.endIndex), newText: `${helper}(${state.text})` });
      });
      if (problem || count === 0) return { reason: problem ?? `${h.name} has no return tuple` };
    }
    const inlined = this.inlineHandlers(server, [...new Set(readers.map((h) => h.tag!))], ':ets.lookup_element(__MODULE__, :state, 2)');
    if ('reason' in inlined) return inlined;
    edits.push(...inlined.edits);
    const eol = source.text.includes('\r\n') ? '\r\n' : '\n';
    const indent = '  ';
    const endLine = server.moduleRange.end.line;
    edits.push({
      uri: source.uri,
      range: { start: { line: endLine, character: 0 }, end: { line: endLine, character: 0 } },
      newText: eol + [
        '# The state, published for readers: an ETS table this process owns; callers read it directly.',
        `defp ${helper}(state) do`,
        '  if :ets.whereis(__MODULE__) == :undefined, do: :ets.new(__MODULE__, [:named_table, :protected, read_concurrency: true])',
        '  :ets.insert(__MODULE__, {:state, state})',
        '  state',
        'end',
      ].map((l) => `${indent}${l}`).join(eol) + eol,
    });
    return { edits, title: `Serve ${server.name}'s reads from an ETS table (reads in the caller)` };
  }

  /** The name of a child of the application, like `{Task.Supervisor, name: MyApp.TaskSupervisor}`. */
  private namedChild(module: string): string | undefined {
    for (const name of this.project.knownModules) {
      const info = this.project.module(name)!;
      if (info.supervisor !== 'application') continue;
      const child = info.children.find((c) => !c.dynamic && c.module === module && c.registration?.kind === 'name');
      if (child) return child.registration!.name;
    }
    return undefined;
  }

  /** The line index of a file this refactorer read (for normalizeEdits). */
  linesOf(uri: string): LineIndex | undefined {
    return this.source(uri)?.lines;
  }

  /** Deletes one element of a children list, with its comma. */
  removeChild(child: ChildSpec): Refactoring {
    const source = this.source(child.uri);
    if (!source) return { reason: `cannot read ${child.uri}` };
    const node = findNodeByRange(source, child.range);
    if (!node || node.parent?.type !== 'list') return { reason: `the child in ${child.supervisor} is not in a plain list` };
    const list = node.parent;
    const items = list.namedChildren.filter(Boolean) as Node[];
    const index = items.findIndex((n) => n.id === node.id);
    let start: number;
    let end: number;
    if (index < items.length - 1) {
      // up to the next element, so the comma and the line break go with it
      start = startOfLineIfOnlyIndent(source, node.startIndex);
      end = startOfLineIfOnlyIndent(source, items[index + 1].startIndex);
    } else if (index > 0) {
      start = items[index - 1].endIndex; // the comma before it
      end = node.endIndex;
      const after = source.text.slice(end).match(/^[ \t]*,/);
      if (after) end += after[0].length; // a trailing comma
    } else {
      start = node.startIndex;
      end = node.endIndex;
    }
    // A comment on the removed element's lines stays with the code it described only if it is on its own line.
    return { edits: [{ uri: source.uri, range: source.lines.range(start, end), newText: '' }] };
  }
}

function argumentsOf(call: Node): Node[] {
  const args = call.namedChildren.find((c) => c?.type === 'arguments');
  return args ? (args.namedChildren.filter(Boolean) as Node[]) : [];
}

function bodyNodes(def: Node): Node[] {
  const block = def.namedChildren.find((c) => c?.type === 'do_block');
  if (block) return block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const args = argumentsOf(def);
  const keywords = args[args.length - 1];
  if (keywords?.type !== 'keywords') return [];
  for (const pair of keywords.namedChildren) {
    if (pair?.type === 'pair' && /^do:\s*$/.test(pair.childForFieldName('key')?.text ?? '')) {
      const value = pair.childForFieldName('value');
      return value ? [value] : [];
    }
  }
  return [];
}

/** `:tag` or `{:tag, a, b}` as its tag and the other elements. */
function messageParts(node: Node | undefined): { tag: string; rest: Node[] } | undefined {
  if (!node) return undefined;
  if (node.type === 'atom') return { tag: node.text, rest: [] };
  if (node.type !== 'tuple') return undefined;
  const [first, ...rest] = node.namedChildren.filter(Boolean) as Node[];
  return first?.type === 'atom' ? { tag: first.text, rest } : undefined;
}

/**
 * The message of `GenServer.call(__MODULE__, message)` (or cast), when the call is exactly that. The
 * server may be named as it registers (`:invoice_renderer`, `@name`); a call's timeout is allowed (the
 * work that moves to the caller has none).
 */
function sentMessage(call: Node, op: string, names: string[] = ['__MODULE__']): Node | undefined {
  if (call.type !== 'call') return undefined;
  const target = call.childForFieldName('target');
  if (target?.type !== 'dot' || target.childForFieldName('left')?.text !== 'GenServer' || target.childForFieldName('right')?.text !== op) return undefined;
  const args = argumentsOf(call);
  if (!(args.length === 2 || (op === 'call' && args.length === 3)) || !names.includes(args[0].text)) return undefined;
  return args[1];
}

/** How a server's own module can write its name in a call: `__MODULE__`, its module, its `name:` as written. */
function ownNames(server: Serializer): string[] {
  return ['__MODULE__', server.name, ...(server.registration.text ? [server.registration.text] : [])];
}

/** Return tuples of a callback body: in tail position, through case/if/cond/with branches. */
function forEachReturnTuple(body: Node[], visit: (tuple: Node) => void): void {
  const tail = (node: Node) => {
    if (node.type === 'tuple') return visit(node);
    if (node.type === 'call' && ['case', 'if', 'unless', 'cond', 'with'].includes(node.childForFieldName('target')?.text ?? '')) {
      for (const block of node.namedChildren) {
        if (!block || (block.type !== 'do_block' && block.type !== 'else_block')) continue;
        const stabs = block.namedChildren.filter((c): c is Node => !!c && c.type === 'stab_clause');
        if (stabs.length) {
          for (const stab of stabs) {
            const right = stab.childForFieldName('right');
            const last = right?.namedChildren.filter(Boolean).pop() as Node | undefined;
            if (last) tail(last);
          }
        } else {
          const last = block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').pop();
          if (last) tail(last);
        }
      }
      return;
    }
    visit(node); // anything else in tail position: the caller rejects it
  };
  const last = body[body.length - 1];
  if (last) tail(last);
  // A reply tuple anywhere else (an early return through a helper) cannot be followed.
  for (const root of body.slice(0, -1)) {
    walkNamed(root, (node) => {
      if (node.type === 'tuple' && REPLY_TAGS.test(node.namedChildren[0]?.text ?? '')) visit(node);
    });
  }
}

/** The identifier appears in the nodes, outside the excluded subtrees. */
function mentions(nodes: Node[], name: string, excluded: Node[] = []): boolean {
  const skip = new Set(excluded.map((n) => n.id));
  let found = false;
  for (const root of nodes) {
    walkNamed(root, (node) => {
      if (found || skip.has(node.id)) return false;
      if (node.type === 'identifier' && node.text === name) found = true;
      return !found;
    });
  }
  return found;
}

/** The text from the first to the last node, with some nodes replaced. */
function replaceNodes(text: string, body: Node[], replacements: { node: Node; text: string }[]): string {
  const start = body[0].startIndex;
  let out = text.slice(start, body[body.length - 1].endIndex);
  for (const r of [...replacements].sort((a, b) => b.node.startIndex - a.node.startIndex)) {
    out = out.slice(0, r.node.startIndex - start) + r.text + out.slice(r.node.endIndex - start);
  }
  return out;
}

function indentOf(lines: LineIndex, node: Node): string {
  return /^[ \t]*/.exec(lines.lineText(lines.position(node.startIndex).line))![0];
}

/**
 * A body's lines without their common indentation: the first line is trimmed, later lines keep their
 * indentation relative to column `from`, where the first line started.
 */
function reindent(lines: string[], from: number): string[] {
  return lines.map((line, i) => {
    if (i === 0) return line.trim();
    const indent = /^[ \t]*/.exec(line)![0].length;
    return line.trim() ? `${' '.repeat(Math.max(0, indent - from))}${line.trim()}` : '';
  });
}

/** A string, charlist or sigil that spans lines and is not a heredoc: moving its lines changes its value. */
function hasMultilineLiteral(nodes: Node[]): boolean {
  let found = false;
  for (const root of nodes) {
    walkNamed(root, (node) => {
      if (['string', 'charlist', 'sigil'].includes(node.type)) {
        const text = node.text;
        if (text.includes('\n') && !/^(~\w+)?("""|''')/.test(text)) found = true;
      }
      return !found;
    });
  }
  return found;
}

/** The `@impl …` line right above a def, if any. */
function implAbove(source: Source, def: Node): Range | undefined {
  const line = source.lines.position(def.startIndex).line;
  if (line === 0) return undefined;
  const above = source.lines.lineText(line - 1);
  if (!/^\s*@impl\b/.test(above)) return undefined;
  return { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: above.length } };
}

/** Deletes whole lines, and one blank line after them when the line before is blank too. */
function deleteLines(source: Source, first: number, last: number): TextEdit {
  let end = last + 1;
  const blank = (l: number) => l >= 0 && l < source.lines.lineCount && source.lines.lineText(l).trim() === '';
  const indent = (l: number) => /^\s*/.exec(source.lines.lineText(l))![0].length;
  if (blank(end) && (blank(first - 1) || first === 0 || /\bdo\s*$/.test(source.lines.lineText(first - 1)))) end++;
  // The last clause before `end`: take the blank line above it instead, so none is left before `end`.
  else if (!blank(end) && end < source.lines.lineCount && blank(first - 1) && indent(end) < indent(first)) first--;
  if (end >= source.lines.lineCount) {
    return { uri: source.uri, range: { start: { line: first, character: 0 }, end: source.lines.position(source.text.length) }, newText: '' };
  }
  return { uri: source.uri, range: { start: { line: first, character: 0 }, end: { line: end, character: 0 } }, newText: '' };
}

function startOfLineIfOnlyIndent(source: Source, offset: number): number {
  const { line, character } = source.lines.position(offset);
  const before = source.lines.lineText(line).slice(0, character);
  return before.trim() === '' ? source.lines.lineStart(line) : offset;
}

function findNodeByRange(source: Source, range: Range): Node | undefined {
  const start = source.lines.offset(range.start);
  const end = source.lines.offset(range.end);
  let node: Node | null = source.tree.rootNode.descendantForIndex(start, Math.max(start, end - 1));
  while (node && !(node.startIndex === start && node.endIndex === end)) node = node.parent;
  return node ?? undefined;
}

/** Sorts edits and drops exact duplicates (two clauses sharing a blank line). */
function mergeLineDeletions(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const key = `${e.uri}:${e.range.start.line}:${e.range.start.character}:${e.range.end.line}:${e.range.end.character}:${e.newText}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Attributes that document or configure the module: never "set but not used". */
const DOC_ATTRIBUTES = new Set(['moduledoc', 'doc', 'spec', 'impl', 'type', 'typep', 'opaque', 'callback', 'macrocallback', 'behaviour', 'derive',
  'enforce_keys', 'compile', 'dialyzer', 'external_resource', 'deprecated', 'since', 'typedoc', 'optional_callbacks', 'on_load', 'before_compile', 'after_compile', 'vsn']);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Deletions the edits make necessary so the module still compiles without warnings: module attributes
 * and private functions that only the deleted code used.
 */
function unusedAfter(source: Source, edits: TextEdit[]): TextEdit[] {
  const after = applyTextEdits(source, edits.filter((e) => e.uri === source.uri));
  const out: TextEdit[] = [];
  for (let line = 0; line < source.lines.lineCount; line++) {
    const text = source.lines.lineText(line);
    const attribute = /^\s*@(\w+)\s+\S/.exec(text);
    if (!attribute || DOC_ATTRIBUTES.has(attribute[1]) || !after.includes(text)) continue;
    const uses = after.match(new RegExp(`@${attribute[1]}\\b`, 'g'))?.length ?? 0;
    if (uses === 1) out.push(deleteLines(source, line, line));
  }
  const seen = new Set<string>();
  for (const match of source.text.matchAll(/^[ \t]*defp\s+([a-z_][\w?!]*)/gm)) {
    const name = match[1];
    if (seen.has(name)) continue;
    seen.add(name);
    const defs = after.match(new RegExp(`^[ \\t]*defp\\s+${escapeRegExp(name)}(?![\\w?!])`, 'gm'))?.length ?? 0;
    const uses = after.match(new RegExp(`(?<![\\w.@])${escapeRegExp(name)}(?![\\w?!:])`, 'g'))?.length ?? 0;
    if (defs === 0 || uses > defs) continue;
    // Only its own clauses name it: delete every clause.
    for (const clause of source.text.matchAll(new RegExp(`^[ \\t]*defp\\s+${escapeRegExp(name)}(?![\\w?!])`, 'gm'))) {
      let node: Node | null = source.tree.rootNode.descendantForIndex(clause.index! + clause[0].indexOf('defp'));
      while (node && node.type !== 'call') node = node.parent;
      if (node) out.push(deleteLines(source, source.lines.position(node.startIndex).line, source.lines.position(node.endIndex).line));
    }
  }
  return out;
}

/** The text after edits (non-overlapping, in any order). */
export function applyTextEdits(source: { text: string; lines: LineIndex }, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => source.lines.offset(b.range.start) - source.lines.offset(a.range.start));
  let out = source.text;
  for (const e of sorted) out = out.slice(0, source.lines.offset(e.range.start)) + e.newText + out.slice(source.lines.offset(e.range.end));
  return out;
}

/**
 * Edits as LSP wants them: per file, no two overlapping. Deletions that touch or overlap are merged; an
 * insertion where a deletion ends joins it.
 */
export function normalizeEdits(edits: TextEdit[], lineIndexOf: (uri: string) => LineIndex | undefined): TextEdit[] {
  const out: TextEdit[] = [];
  const byUri = new Map<string, TextEdit[]>();
  for (const e of edits) byUri.set(e.uri, [...(byUri.get(e.uri) ?? []), e]);
  for (const [uri, list] of byUri) {
    const lines = lineIndexOf(uri);
    if (!lines) continue;
    const spans = list.map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), text: e.newText }))
      .sort((a, b) => a.start - b.start || a.end - b.end);
    const merged: typeof spans = [];
    for (const span of spans) {
      const last = merged[merged.length - 1];
      if (last && span.start <= last.end && (last.text === '' || span.text === '' || span.start === span.end)) {
        // Overlapping or touching: one edit covering both, keeping any inserted text.
        last.text = span.start >= last.end ? last.text + span.text : last.text || span.text;
        last.end = Math.max(last.end, span.end);
      } else if (last && span.start < last.end) {
        throw new Error(`overlapping edits in ${uri}`);
      } else {
        merged.push({ ...span });
      }
    }
    for (const m of merged) {
      // Whole lines deleted right before a closing `end`: the blank line above them goes too.
      const first = lines.position(m.start);
      const next = lines.position(m.end);
      const indent = (line: number) => /^\s*/.exec(lines.lineText(line))![0].length;
      if (m.text === '' && first.character === 0 && next.character === 0 && first.line > 0 && lines.lineText(first.line - 1).trim() === ''
        && next.line < lines.lineCount && lines.lineText(next.line).trim() !== '' && indent(next.line) < indent(first.line)) {
        m.start = lines.lineStart(first.line - 1);
      }
      out.push({ uri, range: lines.range(m.start, m.end), newText: m.text });
    }
  }
  return out;
}

/** The expression statement holding the call: itself, or `pattern = call`, directly in a block. */
function statementOf(call: Node): Node | undefined {
  let node: Node = call;
  if (node.parent?.type === 'binary_operator' && node.parent.child(1)?.type === '=' && node.parent.childForFieldName('right')?.id === node.id) node = node.parent;
  return node.parent && (node.parent.type === 'do_block' || node.parent.type === 'block' || node.parent.type === 'stab_clause' || node.parent.type === 'body') ? node : undefined;
}

/** The statement binds nothing used later: the call alone, or `{:ok, _pid} = call` with only `_` names. */
function discardsResult(statement: Node, call: Node): boolean {
  if (statement.id === call.id) return true;
  const left = statement.childForFieldName('left');
  const names: string[] = [];
  const collect = (n: Node) => {
    if (n.type === 'identifier') names.push(n.text);
    n.namedChildren.forEach((c) => c && collect(c));
  };
  if (left) collect(left);
  return names.every((n) => n.startsWith('_'));
}

/** A call whose value nobody uses: a statement in a block that is not the block's last expression. */
function isDiscarded(call: Node): boolean {
  const parent = call.parent;
  if (!parent || !['do_block', 'block', 'body', 'stab_clause'].includes(parent.type)) return false;
  const siblings = parent.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  return siblings.length > 1 && siblings[siblings.length - 1].id !== call.id;
}

/** The message of `GenServer.call(self(), msg)` or `GenServer.call(__MODULE__, msg)`. */
function sentMessageTo(call: Node): Node | undefined {
  if (call.type !== 'call') return undefined;
  const target = call.childForFieldName('target');
  if (target?.type !== 'dot' || target.childForFieldName('left')?.text !== 'GenServer' || target.childForFieldName('right')?.text !== 'call') return undefined;
  const args = argumentsOf(call);
  return args.length === 2 && (args[0].text === '__MODULE__' || args[0].text === 'self()') ? args[1] : undefined;
}

/** The value of `key:` in a keyword list argument. */
function keywordOf(node: Node | undefined, key: string): Node | undefined {
  const keywords = node?.type === 'keywords' ? node : node?.type === 'list' ? node.namedChildren.find((c) => c?.type === 'keywords') ?? undefined : undefined;
  for (const pair of keywords?.namedChildren ?? []) {
    if (pair?.type === 'pair' && new RegExp(`^${key}:\\s*$`).test(pair.childForFieldName('key')?.text ?? '')) return pair.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/** The single expression an anonymous function of one clause returns. */
function stabBody(fn: Node): Node | undefined {
  const clauses = fn.namedChildren.filter((c): c is Node => !!c && c.type === 'stab_clause');
  const body = clauses.length === 1 ? clauses[0].childForFieldName('right') : null;
  const exprs = body?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
  return exprs.length === 1 ? exprs[0] : undefined;
}

/**
 * A function given a value, applied to `term` in place: `& &1.x` → `term.x`, `&Map.get(&1, k)` →
 * `Map.get(term, k)`, `&Map.keys/1` → `Map.keys(term)`, `fn s -> expr end` → `s = term` then `expr`.
 */
function applyToTerm(fun: Node, term: string): { bindings: string[]; value: string } | undefined {
  if (fun.type === 'anonymous_function') {
    const clauses = fun.namedChildren.filter((c): c is Node => !!c && c.type === 'stab_clause');
    const param = clauses.length === 1 ? clauses[0].childForFieldName('left')?.namedChildren[0] : undefined;
    const body = stabBody(fun);
    if (!param || !body || param.type !== 'identifier' || body.text.includes('\n')) return undefined;
    return param.text.startsWith('_') ? { bindings: [], value: body.text } : { bindings: [`${param.text} = ${term}`], value: body.text };
  }
  if (fun.type !== 'unary_operator' || fun.child(0)?.type !== '&') return undefined;
  const operand = fun.namedChildren[0];
  if (!operand || fun.text.includes('\n')) return undefined;
  if (operand.type === 'binary_operator' && operand.child(1)?.type === '/') {
    const name = operand.childForFieldName('left')?.text;
    return operand.childForFieldName('right')?.text === '1' && name ? { bindings: [], value: `${name}(${term})` } : undefined;
  }
  // Every &1 becomes the term; any other &N means a function of more arguments.
  const text = operand.text;
  if (/&[2-9]/.test(text)) return undefined;
  const occurrences = text.match(/&1(?!\d)/g)?.length ?? 0;
  if (occurrences === 0) return undefined;
  if (occurrences > 1 && /\bvalue\b/.test(text)) return undefined;
  const value = occurrences === 1 ? text.replace(/&1(?!\d)/, term) : text.replace(/&1(?!\d)/g, 'value');
  return { bindings: occurrences === 1 ? [] : [`value = ${term}`], value };
}

/** The one variable a callback body uses to pick an entry of the state (`Map.get(state, id)`, `state[id]`), if it is one. */
function keyOf(body: Node[], state: string): string | undefined {
  const keys = new Set<string>();
  const visit = (node: Node) => {
    if (node.type === 'call') {
      const target = node.childForFieldName('target');
      const args = argumentsOf(node);
      const mapCall = target?.type === 'dot' && target.childForFieldName('left')?.text === 'Map';
      if (mapCall && args[0]?.text === state && args[1]) keys.add(args[1].text);
    }
    if (node.type === 'access_call' && node.childForFieldName('target')?.text === state) keys.add(node.childForFieldName('key')?.text ?? '');
    for (const child of node.namedChildren) if (child) visit(child);
  };
  body.forEach(visit);
  const [key] = [...keys];
  return keys.size === 1 && /^[a-z_]\w*$/.test(key) ? key : undefined;
}
