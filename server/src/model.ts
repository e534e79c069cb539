// Language-neutral model of serializers. Front ends produce it from syntax trees; the checklist,
// rules and presenters consume it and never see a tree.

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export type Language = 'elixir' | 'typescript';

/** A line of code that supports an answer or a finding, and why. */
export interface Evidence {
  uri: string;
  range: Range;
  why: string;
  /** The source line the range starts on, trimmed, for hover cards and CLI output. */
  code: string;
}

/** A call to a server's API: `GenServer.call(Target, msg)`, `Agent.update(Target, fn)`, `send(pid, msg)`. */
export interface ServerCall {
  op: string; // call, cast, multi_call, get, update, get_and_update, send…
  /** The server addressed: a module name, `self`, an atom like `:cache`, or `dynamic` (a pid or a computed name). */
  target: string;
  /** True for operations the caller waits on (call, get, update…); false for cast/send. */
  waits: boolean;
  /** The message's tag: `:get` and `{:get, id}` both give `get` (matches a handler's tag). */
  tag?: string;
}

export type SlowKind = 'http' | 'sleep' | 'shell' | 'file';

export interface CallSite {
  uri: string;
  range: Range;
  /** Module of a remote call, resolved through aliases and attributes; null for a local call. */
  module: string | null;
  fn: string;
  arity: number;
  /** Identifiers the arguments mention (to tell whether a call needs a callback's state). */
  mentions: string[];
  /** Inside work handed to another process (Task.start, Task.Supervisor, spawn): not the caller's own work. */
  handedOff: boolean;
  serverCall?: ServerCall;
  slow?: SlowKind;
  code: string;
  /** TypeScript: the call's result is awaited (or returned from an async function). */
  awaited?: boolean;
  /** TypeScript: the package the receiver comes from (`pg` for `pool.query` on `new Pool()` from 'pg'). */
  resource?: string;
  /** TypeScript: the serializer this call waits to enter (`lock.runExclusive`, `queue.add`, `limit(fn)`). */
  acquires?: string;
  /** TypeScript: a Map shared by the module (`sessions.get(id)`), the key's text when it is a plain name. */
  mapAccess?: { map: string; key: string | null; op: string };
  /** TypeScript: `worker.postMessage(…)` on a module-level Worker or forked process. */
  posts?: string;
  /** TypeScript: the callee as written (`pool.query`), for messages. */
  callee?: string;
}

/** What a callback does with the state it is given. */
export type StateUse = 'ignored' | 'unchanged' | 'read' | 'changed' | 'unknown';
export type StateAccess = 'keyed' | 'whole' | 'none';

export type SignalKind =
  | 'state-changed' | 'state-read'                                        // 1 shared state
  | 'spawns-work' | 'deferred-reply' | 'batches-callers'                  // 2 concurrency
  | 'continue' | 'terminate' | 'traps-exits' | 'timer' | 'owns-resource'  // 3 lifecycle
  | 'monitors' | 'sends' | 'pubsub' | 'distributed' | 'calls-other-server' | 'handles-down' | 'socket-io'; // 4 communication

/** A fact the front end found in code that runs inside the server process. */
export interface Signal {
  kind: SignalKind;
  range: Range;
  why: string;
  code: string;
}

/** One clause of a function (def/defp, or an Agent's anonymous function). */
export interface FunctionClause {
  name: string;
  arity: number;
  /** The smallest arity it can be called with, when some parameters have defaults (`currency \\ "EUR"`). */
  minArity?: number;
  visibility: 'public' | 'private';
  range: Range;
  headRange: Range;
  /** The head's source line, trimmed. */
  code: string;
  calls: CallSite[];
  /** Takes the callers queued behind the current one off the mailbox, to answer them together. */
  drainsMailbox: boolean;
}

export type HandlerKind =
  | 'init' | 'handle_call' | 'handle_cast' | 'handle_info' | 'handle_continue' | 'terminate' | 'code_change'
  | 'agent_get' | 'agent_update' | 'agent_get_and_update' | 'agent_cast'
  /** TypeScript: code that runs holding a lock or as one job of a one-at-a-time queue. */
  | 'section';

/** A callback that runs inside the server process. */
export interface Handler extends FunctionClause {
  kind: HandlerKind;
  /** The message pattern as written (`{:get, id}`), or '' for callbacks without one. */
  message: string;
  /** The message's tag (`get` for `{:get, id}`), when it has one. */
  tag?: string;
  /**
   * How the callback touches its state: one entry of a map picked by a key from the caller's message
   * (`Map.get(state, user_id)`), the state as a whole (returned, replaced, fields), or not at all.
   */
  stateAccess: StateAccess;
  /** The variable the state is bound to, when there is one. */
  stateParam: string | null;
  stateUse: StateUse;
  /**
   * True when callers wait on this handler or queue their requests behind it: handle_call, a handle_cast
   * that carries a caller's data, Agent functions. A bare trigger cast (`:refresh`) does not.
   */
  servesCallers: boolean;
  /** TypeScript sections: the code waits (awaits, or returns a promise) while it holds the serializer. */
  awaits?: boolean;
  /** TypeScript sections: the code changes something (assigns a field, mutates a collection, writes a store). */
  writes?: boolean;
  /** TypeScript sections: returns a cached value at once, else fills it for everyone (a single-flight refresh). */
  singleFlight?: boolean;
  /** TypeScript sections: shared Maps the code uses as a whole (size, iteration, clear), not one entry. */
  mapsWhole?: string[];
  /** TypeScript promise chains: a link without `.catch`, so one rejection rejects every later one. */
  poisonable?: boolean;
}

/** Elixir processes, and the TypeScript serializers: a mutex, a one-at-a-time queue or limiter, a promise chain, one worker. */
export type SerializerKind = 'GenServer' | 'Agent' | 'Mutex' | 'Queue' | 'Limiter' | 'PromiseChain' | 'Worker';

export type RegistrationKind = 'name' | 'global' | 'via' | 'none' | 'dynamic';

export interface Registration {
  kind: RegistrationKind;
  /** The fixed name (`Shop.UserStore`, `:cache`) when there is one. */
  name?: string;
  /** The name expression as written. */
  text: string;
  range?: Range;
}

export interface Serializer {
  language: Language;
  uri: string;
  name: string;
  kind: SerializerKind;
  /** The `use GenServer` / `use Agent` line. */
  declaration: Range;
  /** The module name in its definition. */
  nameRange: Range;
  moduleRange: Range;
  registration: Registration;
  /** Registered under one fixed name, so every caller goes through the same process. */
  singleton: boolean;
  handlers: Handler[];
  /** Every function clause of the module (client API and helpers), for following local calls. */
  functions: FunctionClause[];
  /** Facts for the checklist, from code that runs in the server process. */
  signals: Signal[];
  /** TypeScript serializers: a timeout on waiting, and a bound on how many may wait. */
  limits?: { timeout: boolean; bound: boolean };
}

export interface Suppression {
  scope: 'next-line' | 'file';
  /** Rule ids; empty means every rule. */
  rules: string[];
  range: Range;
  /** The line it silences (next-line scope). */
  line: number;
}

/** Code that serves web requests: every caller of a server from here waits once per request. */
export type RequestPathKind = 'controller' | 'live_view' | 'live_component' | 'channel' | 'plug' | 'router' | 'endpoint' | 'graphql';

/** A child a supervisor starts: listed in its children (static) or started with DynamicSupervisor.start_child. */
export interface ChildSpec {
  /** The child's module, resolved through aliases. */
  module: string;
  /** The name the child spec gives (`{Mod, name: :x}`), when it gives one. */
  registration?: Registration;
  /** The module whose code lists or starts the child (the Application or Supervisor). */
  supervisor: string;
  dynamic: boolean;
  uri: string;
  range: Range;
  code: string;
}

export interface ModuleInfo {
  name: string;
  uri: string;
  range: Range;
  nameRange: Range;
  /** The module is a pooled database repository (`use Ecto.Repo`, a Mongo or Seraph repo). */
  isRepo: boolean;
  /** Set when the module serves web requests (`use MyAppWeb, :controller`, `use Phoenix.LiveView`, `@behaviour Plug`). */
  requestPath?: RequestPathKind;
  /** `use Application`, `use Supervisor`, `use DynamicSupervisor`. */
  supervisor?: 'application' | 'supervisor' | 'dynamic-supervisor';
  /** Modules it imports: their functions can be called without a module name. */
  imports: string[];
  /** Modules it `use`s (`GenServer`, `Mix.Task`, `MyAppWeb`). */
  uses: string[];
  /** Every function clause (for following calls across modules). */
  functions: FunctionClause[];
  /** Children this module starts under supervision. */
  children: ChildSpec[];
  /** TypeScript: module-level bindings that hold a pooled client (`pool` → `pg`) or a serializer (`lock` → its name). */
  resources?: Record<string, string>;
  serializersByBinding?: Record<string, string>;
  /** TypeScript: critical sections written here on a serializer another module defines. */
  foreignSections?: { serializer: string; section: Handler }[];
}

/**
 * What code in a file is for. Tests and scripts get the syntax-level rules only: starting a server by
 * hand is normal there, and they are never request paths.
 */
export type FileRole = 'app' | 'test' | 'script' | 'config';

export interface FileModel {
  uri: string;
  language: Language;
  role: FileRole;
  modules: ModuleInfo[];
  serializers: Serializer[];
  /** Every server call in the file, in servers or not (for hover and, later, call-site rules). */
  serverCalls: CallSite[];
  suppressions: Suppression[];
  /** Lines whose start lies inside a multi-line string: a comment cannot be inserted there. */
  linesInsideStrings: number[];
}

/** A call into a server from outside its module: a raw GenServer/Agent call or a call to its client API. */
export interface Caller {
  site: CallSite;
  /** The module and function the call is written in. */
  module: string;
  clause: FunctionClause;
  /** `Shop.UserStore.get/1` for client functions, `GenServer.call` for raw calls. */
  via: string;
  /** Whether it reads the state, changes it, or neither/both (decided from the handler the message reaches). */
  op: 'read' | 'write' | 'other';
  /** The calling code runs on a web request (a controller, LiveView, channel or plug, or a function they reach). */
  requestPath: boolean;
  role: FileRole;
}

export interface Supervision {
  /** Where supervisors list the server as a child. */
  static: ChildSpec[];
  /** Where it is started per entity with DynamicSupervisor.start_child. */
  dynamic: ChildSpec[];
}

/** Why a server is one process that every caller shares, with the line that shows it. */
export interface SingletonInfo {
  how: string;
  evidence?: Evidence;
}

/** What the rules need to know beyond one file: the workspace index answers it. */
export interface ProjectContext {
  /** Modules known to be pooled database repositories (modules that `use Ecto.Repo`). */
  repoModules: ReadonlySet<string>;
  /** Every module defined in the project: a `…Repo` defined here without `use Ecto.Repo` is not a database. */
  knownModules: ReadonlySet<string>;
  /** A module defined in the workspace, by full name. */
  module(name: string): ModuleInfo | undefined;
  /** Every module of the workspace (TypeScript files are one module each, named by path). */
  allModules(): ModuleInfo[];
  /** The server a call target names: its module, its registered name, or a name a child spec gives it. */
  serializerNamed(target: string): Serializer | undefined;
  /** Set when one process serves every caller (see DESIGN.md: fixed name, or listed once in the application). */
  singleton(server: Serializer): SingletonInfo | undefined;
  /** Every call into the server from other modules, tests included (their role says so). */
  callers(server: Serializer): Caller[];
  supervision(server: Serializer): Supervision;
  /** The clause runs on a web request: it is in a request-path module or reached from one. */
  onRequestPath(clause: FunctionClause): boolean;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextEdit { uri: string; range: Range; newText: string }

export interface Fix {
  title: string;
  kind: 'quickfix' | 'refactor.rewrite';
  preferred: boolean;
  edits: TextEdit[];
}

/** The edits of a refactoring, or why it cannot be done for this code (a fix is never half an edit). */
export type Refactoring = { edits: TextEdit[]; title?: string } | { reason: string };

/** The refactorings a front end offers the rules' fixes. */
export interface Refactorings {
  /** Moves the work of the handlers for these message tags into the client functions that send them. */
  inlineHandlers(server: Serializer, tags: string[], stateFrom?: string): Refactoring;
  /** The whole server as a plain module, removed from the supervisors' children. */
  toPlainModule(server: Serializer): Refactoring;
  /** A raw GenServer.call/cast on a server replaced by its client function (added when missing). */
  useClientFunction(callerUri: string, range: Range, server: Serializer): Refactoring;
  /** A process started by hand, started by a supervisor instead. */
  superviseStart(uri: string, range: Range, enclosing: { module: string; function: string }): Refactoring;
  /** A callback's call to its own server replaced by a function that does the work on its state. */
  callWorkDirectly(server: Serializer, caller: Handler, range: Range): Refactoring;
  /** A global-variable Agent as :persistent_term. */
  toPersistentTerm(server: Serializer): Refactoring;
  /** A read-mostly GenServer publishes its state in an ETS table; reads run in the callers. */
  readsFromEts(server: Serializer): Refactoring;
  /** A handle_call's work in a supervised task that replies with GenServer.reply/2. */
  replyFromTask(server: Serializer, handler: Handler): Refactoring;
  /** A keyed singleton as one process per key (Registry + DynamicSupervisor), same client API. */
  perKeyProcesses(server: Serializer): Refactoring;
  /** TypeScript: a synchronous critical section run without its lock. */
  dropLock(uri: string, range: Range): Refactoring;
  /** TypeScript: a promise chain that recovers from a failed link. */
  recoverChain(uri: string, range: Range): Refactoring;
  /** TypeScript: one global lock over keyed state as one lock per key. */
  lockPerKey(uri: string, declaration: Range, sections: { head: Range; key: string }[]): Refactoring;
}

export interface Finding {
  ruleId: string;
  uri: string;
  range: Range;
  message: string;
  severity: Severity;
  /** The serializer the finding is about. */
  serializer?: string;
  related: Evidence[];
}
