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
}

/** What a callback does with the state it is given. */
export type StateUse = 'ignored' | 'unchanged' | 'read' | 'changed' | 'unknown';

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
  | 'agent_get' | 'agent_update' | 'agent_get_and_update' | 'agent_cast';

/** A callback that runs inside the server process. */
export interface Handler extends FunctionClause {
  kind: HandlerKind;
  /** The message pattern as written (`{:get, id}`), or '' for callbacks without one. */
  message: string;
  /** The variable the state is bound to, when there is one. */
  stateParam: string | null;
  stateUse: StateUse;
  /**
   * True when callers wait on this handler or queue their requests behind it: handle_call, a handle_cast
   * that carries a caller's data, Agent functions. A bare trigger cast (`:refresh`) does not.
   */
  servesCallers: boolean;
}

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
  kind: 'GenServer' | 'Agent';
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
}

export interface Suppression {
  scope: 'next-line' | 'file';
  /** Rule ids; empty means every rule. */
  rules: string[];
  range: Range;
  /** The line it silences (next-line scope). */
  line: number;
}

export interface ModuleInfo {
  name: string;
  range: Range;
  nameRange: Range;
  /** The module is a pooled database repository (`use Ecto.Repo`). */
  isRepo: boolean;
}

export interface FileModel {
  uri: string;
  language: Language;
  modules: ModuleInfo[];
  serializers: Serializer[];
  /** Every server call in the file, in servers or not (for hover and, later, call-site rules). */
  serverCalls: CallSite[];
  suppressions: Suppression[];
  /** Lines whose start lies inside a multi-line string: a comment cannot be inserted there. */
  linesInsideStrings: number[];
}

/** What the rules need to know beyond one file. */
export interface ProjectContext {
  /** Modules known to be pooled database repositories (modules that `use Ecto.Repo`). */
  repoModules: ReadonlySet<string>;
  /** Every module defined in the project: a `…Repo` defined here without `use Ecto.Repo` is not a database. */
  knownModules: ReadonlySet<string>;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextEdit { uri: string; range: Range; newText: string }

export interface Fix {
  title: string;
  kind: 'quickfix' | 'refactor.rewrite';
  preferred: boolean;
  edits: TextEdit[];
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
