// Elixir front end: a tree-sitter tree -> the language-neutral FileModel.
// It knows Elixir (aliases, OTP callbacks, what a slow call is) and nothing about rules.
import { Query, type Language, type Node, type QueryCapture, type Tree } from 'web-tree-sitter';
import { type Budget, BudgetExceeded, outOfTime } from '../budget';
import { LineIndex } from '../positions';
import type {
  CallSite, ChildSpec, FileModel, FileRole, FunctionClause, Handler, HandlerKind, ModuleInfo, Range, Registration, RequestPathKind,
  Serializer, ServerCall, Signal, SignalKind, SlowKind, StateAccess, StateUse, Suppression,
} from '../model';
import { clausesReached } from '../callgraph';
import { parseSuppression } from '../suppressions';

/** What one walk over a function body finds. */
interface Collected {
  calls: CallSite[];
  drainsMailbox: boolean;
  /** GenServer/Agent calls with their nodes: start_link options and Agent functions are read from them. */
  special: { site: CallSite; node: Node }[];
}

type Span = [start: number, end: number];

/** The node lies strictly inside one of the spans. */
function inside(spans: Span[], node: Node): boolean {
  return spans.some(([start, end]) => node.startIndex >= start && node.endIndex <= end && !(node.startIndex === start && node.endIndex === end));
}

interface ParsedClause {
  clause: FunctionClause;
  node: Node;
  params: Node[];
  body: Node[];
  special: Collected['special'];
}

interface Scope {
  module: string | null;
  aliases: Map<string, string>;
  attributes: Map<string, string>;
}

const OTP_CALLBACKS = new Set(['init', 'handle_call', 'handle_cast', 'handle_info', 'handle_continue', 'terminate', 'code_change']);
const DEFINERS = new Map([['def', 'public'], ['defp', 'private']] as const);
const NOT_CALLS = new Set([
  'def', 'defp', 'defmacro', 'defmacrop', 'defmodule', 'defstruct', 'defdelegate', 'defguard', 'defguardp', 'defimpl', 'defprotocol',
  'alias', 'import', 'require', 'use', 'if', 'unless', 'case', 'cond', 'with', 'for', 'receive', 'try', 'quote', 'unquote', 'fn',
  'raise', 'reraise', 'throw', 'and', 'or', 'not', 'in', 'when', 'from',
]);
/** Kernel functions that matter to a server's checklist, called without a module. */
const KERNEL_CALLS = new Set(['spawn', 'spawn_link', 'spawn_monitor', 'send', 'self']);

/** Calls whose function arguments run in another process. */
function handsOff(module: string | null, fn: string): boolean {
  if (module === 'Task') return ['start', 'start_link', 'async', 'async_stream'].includes(fn);
  if (module === 'Task.Supervisor') return ['start_child', 'async', 'async_nolink', 'async_stream', 'async_stream_nolink'].includes(fn);
  if (module === 'Kernel' || module === 'Process') return fn.startsWith('spawn');
  return false;
}

function slowKind(module: string | null, fn: string): SlowKind | undefined {
  if (module === null) return undefined;
  if (['HTTPoison', 'Tesla', 'Req', ':httpc', 'Finch', 'Mint.HTTP', ':hackney', 'HTTPotion'].includes(module)) {
    // Only functions that make a request: Tesla.client/2, Req.new/1 and friends just build a struct.
    if (module === 'Finch') return fn === 'request' || fn === 'request!' ? 'http' : undefined;
    if (module === ':httpc' || module === ':hackney') return /^(request|get|post|put|delete|head|send_request)$/.test(fn) ? 'http' : undefined;
    if (module === 'Mint.HTTP') return /^(connect|request|recv|stream)$/.test(fn) ? 'http' : undefined;
    return /^(get|post|put|patch|delete|head|options|trace|request|run|stream)!?$/.test(fn) ? 'http' : undefined;
  }
  if ((module === 'Process' && fn === 'sleep') || (module === ':timer' && fn === 'sleep')) return 'sleep';
  if ((module === 'System' && (fn === 'cmd' || fn === 'shell')) || (module === ':os' && fn === 'cmd')) return 'shell';
  // Whole-file reads, writes and copies; metadata calls (ls, exists?, rm_rf of a path) are cheap enough to leave alone.
  if (module === 'File' && /^(read|read!|write|write!|stream!|cp|cp!|cp_r|cp_r!|copy|copy!)$/.test(fn)) return 'file';
  return undefined;
}

const WAITING_OPS = new Set(['call', 'multi_call', 'get', 'update', 'get_and_update', 'stop']);

/** The operation when a call addresses a server (GenServer, Agent, send). */
function serverOp(module: string | null, fn: string): string | undefined {
  if ((module === 'GenServer' || module === ':gen_server') && ['call', 'cast', 'multi_call', 'abcast', 'stop'].includes(fn)) return fn;
  if (module === 'Agent' && ['get', 'update', 'get_and_update', 'cast', 'stop'].includes(fn)) return fn;
  if (module === 'Kernel' && fn === 'send') return 'send';
  return undefined;
}

/** Elixir's own modules (and the OTP ones callbacks use most): calls into them never lead to workspace code. */
const STANDARD_MODULES = new Set([
  'Kernel', 'Enum', 'Stream', 'Map', 'MapSet', 'List', 'Keyword', 'String', 'Integer', 'Float', 'Tuple', 'Atom', 'IO', 'File',
  'Path', 'System', 'Process', 'GenServer', 'Agent', 'Task', 'Supervisor', 'DynamicSupervisor', 'Registry', 'Logger', 'Application',
  'Access', 'Base', 'Bitwise', 'Date', 'DateTime', 'NaiveDateTime', 'Time', 'Calendar', 'Regex', 'URI', 'Range', 'Function', 'Code',
  'Macro', 'Module', 'Node', 'Port', 'Exception', 'Inspect', 'Jason', 'Ecto', 'Phoenix', 'Plug',
]);

/**
 * Pure data modules of the standard library: a call into one (`Enum.map`, `Map.get`) starts no process,
 * waits on none, touches no resource and leads to no workspace code, so no rule, fix or hover reads it.
 * Such calls are left out of the model: most calls in a file are these, and the models of a whole
 * workspace are kept in memory.
 */
const INERT_MODULES = new Set([
  'Enum', 'Stream', 'Map', 'MapSet', 'List', 'Keyword', 'String', 'Integer', 'Float', 'Tuple', 'Atom', 'Access', 'Base',
  'Bitwise', 'Date', 'DateTime', 'NaiveDateTime', 'Time', 'Calendar', 'Regex', 'URI', 'Range', 'Jason',
]);

/** Calls whose nodes the module visit needs: start options, Agent functions, supervision children. */
const SPECIAL_MODULES = new Set(['GenServer', 'Agent', 'Supervisor', 'DynamicSupervisor']);

/** `use Phoenix.Controller`, `use Plug.Router`, …: modules whose functions run on web requests. */
const REQUEST_PATH_USES = new Map<string, RequestPathKind>([
  ['Phoenix.Controller', 'controller'], ['Phoenix.LiveView', 'live_view'], ['Phoenix.LiveComponent', 'live_component'],
  ['Phoenix.Channel', 'channel'], ['Phoenix.Router', 'router'], ['Phoenix.Endpoint', 'endpoint'],
  ['Plug.Router', 'router'], ['Plug.Builder', 'plug'],
]);
/** `use MyAppWeb, :controller` and friends, as Phoenix generators write them. */
const WEB_USE_KINDS = new Map<string, RequestPathKind>([
  [':controller', 'controller'], [':live_view', 'live_view'], [':live_component', 'live_component'],
  [':channel', 'channel'], [':router', 'router'],
]);
/** Modules that make their user a pooled database repository. */
const REPO_USES = new Set(['Ecto.Repo', 'Mongo.Repo', 'Seraph.Repo']);

/**
 * What a file is for, from its path: tests (`test/` folders, `*_test.exs`), config (`config/*.exs`, `mix.exs`),
 * other scripts (`.exs`), or application code.
 */
export function fileRole(uri: string): FileRole {
  const path = decodeURIComponent(uri.replace(/^[a-z]+:\/\/[^/]*/i, ''));
  const segments = path.split('/');
  const name = segments[segments.length - 1];
  if (name.endsWith('_test.exs')) return 'test';
  // The nearest project folder decides: a checkout living under someone's test/ folder is still an app.
  const folder = [...segments.slice(0, -1)].reverse().find((s) => s === 'lib' || s === 'test' || s === 'config');
  if (folder === 'test') return 'test';
  if (!name.endsWith('.exs')) return 'app';
  if (name === 'mix.exs' || folder === 'config') return 'config';
  return 'script';
}

/** Facts about a remote call for the checklist. The range/code are filled in by the caller. */
function signalFor(module: string | null, fn: string, call: CallSite, selfName: string): { kind: SignalKind; why: string } | undefined {
  const m = module ?? '';
  if (m === 'Task' || m === 'Task.Supervisor' || (m === 'Kernel' && fn.startsWith('spawn')) || (m === 'DynamicSupervisor' && fn === 'start_child')) {
    if (m === 'Task' && (fn === 'await' || fn === 'yield')) return undefined;
    return { kind: 'spawns-work', why: `runs work in other processes (${shortCall(m, fn)})` };
  }
  if (m === 'GenServer' && fn === 'reply') return { kind: 'deferred-reply', why: 'replies later with GenServer.reply/2, so it can serve callers concurrently' };
  if (m === 'Process' && fn === 'flag' && /:trap_exit/.test(call.code)) return { kind: 'traps-exits', why: 'traps exits to clean up on shutdown' };
  if ((m === 'Process' && fn === 'send_after') || (m === ':timer' && /^(send_after|send_interval|apply_interval|apply_after)$/.test(fn))) {
    return { kind: 'timer', why: `arms a timer (${shortCall(m, fn)})` };
  }
  if ((m === ':ets' && fn === 'new') || (m === ':dets' && fn === 'open_file') || (m === 'Port' && fn === 'open') || (m === 'File' && fn === 'open')) {
    return { kind: 'owns-resource', why: `owns a resource (${shortCall(m, fn)})` };
  }
  if (m === ':gen_tcp' || m === ':gen_udp' || m === ':ssl' || m === 'Port') return { kind: 'socket-io', why: `talks over a socket or port (${shortCall(m, fn)})` };
  if (m === 'Process' && (fn === 'monitor' || fn === 'link' || fn === 'demonitor')) return { kind: 'monitors', why: `watches other processes (${shortCall(m, fn)})` };
  if (m === 'Phoenix.PubSub' || (/Endpoint$/.test(m) && /^(broadcast|subscribe|local_broadcast)/.test(fn))) return { kind: 'pubsub', why: `uses PubSub (${shortCall(m, fn)})` };
  if (m === ':pg' || m === ':pg2' || m === ':global' || m === 'Node' || m === ':rpc' || m === ':erpc') return { kind: 'distributed', why: `talks to other nodes or process groups (${shortCall(m, fn)})` };
  if (m === 'Kernel' && fn === 'send' && call.serverCall && call.serverCall.target !== 'self') return { kind: 'sends', why: 'sends messages to other processes' };
  if (call.serverCall && call.serverCall.target !== 'self' && call.serverCall.target !== selfName && m !== 'Kernel') {
    return { kind: 'calls-other-server', why: `talks to another server (${shortCall(m, fn)})` };
  }
  if (m === ':ets' && /^(insert|insert_new|delete|delete_object|update_counter|update_element|delete_all_objects)$/.test(fn)) {
    return { kind: 'state-changed', why: `writes shared state in ETS (${shortCall(m, fn)})` };
  }
  return undefined;
}

function shortCall(module: string, fn: string): string {
  return module === 'Kernel' ? `${fn}` : `${module}.${fn}`;
}

function keywordName(pair: Node): string | null {
  const key = pair.childForFieldName('key');
  if (!key) return null;
  const match = /^"?([\w?!]+)"?:\s*$/.exec(key.text);
  return match ? match[1] : null;
}

/** A call's arguments. `target`, when the caller has it, is the call's target (its first named child). */
function namedArgs(call: Node, target?: Node): Node[] {
  const args = argumentsOf(call, target);
  return args ? (args.namedChildren.filter(Boolean) as Node[]) : [];
}

function argumentsOf(call: Node, target?: Node): Node | null {
  // The arguments come right after the target, the first named child (only a comment could come before
  // it, and that is not arguments either): asking for the second named child saves building a Node (a
  // wasm round trip) for each child, and a sibling of the target would be found through the parent,
  // from the root down. Anything else there (a do block, a comment) takes the full search.
  if (target || call.namedChild(0)?.type !== 'arguments') {
    const second = call.namedChild(1);
    if (!second) return null;
    if (second.type === 'arguments') return second;
  }
  return call.namedChildren.find((c) => c?.type === 'arguments') ?? null;
}

function keywordValue(keywords: Node | undefined, name: string): Node | null {
  if (!keywords || keywords.type !== 'keywords') return null;
  for (const pair of keywords.namedChildren) {
    if (pair && pair.type === 'pair' && keywordName(pair) === name) return pair.childForFieldName('value');
  }
  return null;
}

function doBlockOf(call: Node): Node | null {
  return call.namedChildren.find((c) => c?.type === 'do_block') ?? null;
}

/** The body of `def f do … end` or `def f, do: …` as a list of expressions. */
function bodyOf(call: Node): Node[] {
  const block = doBlockOf(call);
  if (block) return block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const args = namedArgs(call);
  const doValue = keywordValue(args[args.length - 1], 'do');
  return doValue ? [doValue] : [];
}

function isIdentifier(node: Node | null | undefined, name?: string): boolean {
  return !!node && node.type === 'identifier' && (name === undefined || node.text === name);
}

/** A literal that carries no information between messages (nil, atoms, numbers, empty collections). */
function isConstant(node: Node): boolean {
  if (['nil', 'boolean', 'atom', 'integer', 'float', 'string', 'charlist'].includes(node.type)) return true;
  if ((node.type === 'map' || node.type === 'list' || node.type === 'tuple') && node.namedChildren.length === 0) return true;
  return false;
}

/** Every identifier inside a node, excluding the right side of dots (function names). */
function identifiersIn(node: Node, out: Set<string>): Set<string> {
  // Node objects are created per access: compare ids, not references.
  const skipped = new Set<number>();
  walkNamed(node, (n) => {
    if (skipped.has(n.id)) return false;
    if (n.type === 'identifier') out.add(n.text);
    if (n.type === 'dot') {
      const right = n.childForFieldName('right');
      if (right) skipped.add(right.id);
    }
    return true;
  });
  return out;
}

/** The first index of a sorted array whose value is at least `value`. */
function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The identifiers the model query captured (in the file, or in one top-level node), so that what a call's
 * arguments mention is a lookup by byte range instead of a walk over each argument from JavaScript (a
 * wasm round trip per node). It answers as identifiersIn does: the same names in the same order.
 *
 * Ranges alone place nodes exactly when the tree has no missing (zero-width) nodes: an identifier is a
 * leaf, so one that starts inside a node lies inside it. A tree with errors takes the walk instead.
 */
class IdentifierIndex {
  private readonly starts: number[];
  private readonly names: (string | undefined)[] = [];
  /** The innermost right side of a dot (`Mod.fun`, `Mod.{A, B}`) around each identifier, or -1s. */
  private readonly skipStarts: number[] = [];
  private readonly skipEnds: number[] = [];
  /** All right sides of dots, by start. */
  private readonly spanStarts: number[] = [];
  private readonly spanEnds: number[] = [];

  /** `identifiers` and `skips` (right sides of dots) in document order, as the query captured them. */
  constructor(private readonly identifiers: Node[], skips: Node[], private readonly exact: boolean) {
    this.starts = identifiers.map((node) => node.startIndex);
    if (!exact) return;
    for (const node of skips) {
      this.spanStarts.push(node.startIndex);
      this.spanEnds.push(node.endIndex);
    }
    // Right sides of dots may nest (`A.{B.c}`): a stack of the open ones gives each identifier its innermost one.
    const open: number[] = [];
    let next = 0;
    for (const start of this.starts) {
      while (next < this.spanStarts.length && this.spanStarts[next] <= start) {
        while (open.length > 0 && this.spanEnds[open[open.length - 1]] <= this.spanStarts[next]) open.pop();
        open.push(next++);
      }
      while (open.length > 0 && this.spanEnds[open[open.length - 1]] <= start) open.pop();
      const around = open.length > 0 ? open[open.length - 1] : -1;
      this.skipStarts.push(around >= 0 ? this.spanStarts[around] : -1);
      this.skipEnds.push(around >= 0 ? this.spanEnds[around] : -1);
    }
  }

  /** Adds the identifiers inside `node`, leaving out those on the right of a dot inside it. */
  addTo(node: Node, out: Set<string>): void {
    const start = node.startIndex;
    const end = node.endIndex;
    // A node with the same range as a dot's right side may be that side or hold it: ranges cannot tell.
    if (!this.exact || this.isSpan(start, end)) {
      identifiersIn(node, out);
      return;
    }
    for (let i = lowerBound(this.starts, start); i < this.starts.length && this.starts[i] < end; i++) {
      // A dot's right side is skipped when the dot lies inside the node (the walk would have met it).
      if (this.skipStarts[i] >= start && this.skipEnds[i] <= end) continue;
      out.add((this.names[i] ??= this.identifiers[i].text));
    }
  }

  private isSpan(start: number, end: number): boolean {
    for (let i = lowerBound(this.spanStarts, start); i < this.spanStarts.length && this.spanStarts[i] === start; i++) {
      if (this.spanEnds[i] === end) return true;
    }
    return false;
  }
}

/**
 * Visits a node and its named descendants, parents before children and children in order, without
 * recursion: code nested thousands of levels deep must not overflow the stack. `enter` returns false to
 * skip a node's children.
 */
export function walkNamed(root: Node, enter: (node: Node) => boolean | void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (enter(node) === false) continue;
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
}

// Walking every node from JavaScript costs a wasm round trip per node; queries run inside the parser.
// Their own walk costs about the same whatever the patterns, so one query finds everything the model
// reads: comments and strings, calls, and the identifiers (with the right sides of dots, which are
// function names) that say what a call's arguments mention.
const MODEL_QUERY = `
  (comment) @comment
  [(string) (charlist) (sigil) (quoted_atom) (quoted_keyword)] @quoted
  (call) @call
  (binary_operator operator: "|>" right: (call) @piped)
  (unary_operator operator: "&" operand: (binary_operator operator: "/" right: (integer))) @capture
  (identifier) @id
  (dot right: (_) @skip)`;
const queries = new WeakMap<Language, Query>();

function modelQuery(tree: Tree): Query {
  let found = queries.get(tree.language);
  if (!found) {
    found = new Query(tree.language, MODEL_QUERY);
    queries.set(tree.language, found);
  }
  return found;
}

/** What the model query captured under one node, by kind, each in document order. */
class Captures {
  readonly comments: Node[] = [];
  readonly quoted: Node[] = [];
  /** Calls and `&fun/1` references, and where each starts. */
  readonly calls: QueryCapture[] = [];
  readonly callStarts: number[] = [];
  /** Ids of the calls on the right of a pipe. */
  readonly piped = new Set<number>();
  private readonly ids: Node[] = [];
  private readonly skips: Node[] = [];
  private index?: IdentifierIndex;

  constructor(node: Node, query: Query) {
    for (const capture of query.captures(node)) {
      switch (capture.name) {
        case 'comment': this.comments.push(capture.node); break;
        case 'quoted': this.quoted.push(capture.node); break;
        case 'piped': this.piped.add(capture.node.id); break;
        case 'id': this.ids.push(capture.node); break;
        case 'skip': this.skips.push(capture.node); break;
        default:
          this.calls.push(capture);
          this.callStarts.push(capture.node.startIndex);
      }
    }
  }

  /** Built on the first call whose arguments' mentions are wanted. */
  identifiers(exact: boolean): IdentifierIndex {
    return (this.index ??= new IdentifierIndex(this.ids, this.skips, exact));
  }
}

/**
 * The models of a document's top-level modules from its previous build. An edit usually touches one
 * module: the others are reused (moved to their new lines) instead of being walked again.
 */
export class ModuleCache {
  entries = new Map<string, CachedModule>();
  /** Comments and multi-line strings of each top-level node, by its column and text. */
  lexical = new Map<string, CachedLexical>();
}

interface CachedLexical {
  line: number;
  suppressions: Suppression[];
  stringLines: number[];
}

interface CachedModule {
  line: number;
  modules: ModuleInfo[];
  serializers: Serializer[];
  serverCalls: CallSite[];
}

/** `lines` may be given when the caller already has the text's line index (an open document does). */
/** Throws BudgetExceeded when building takes longer than the budget (checked at every function). */
export function buildElixirModel(uri: string, text: string, tree: Tree, cache?: ModuleCache, lines?: LineIndex, budget?: Budget): FileModel {
  return new ElixirModelBuilder(uri, text, tree, cache, lines?.text === text ? lines : undefined, budget).build();
}

/**
 * A copy of model data with every position moved down by `delta` lines. Objects shared in the original
 * (a module's and its server's function clauses) stay shared in the copy: the call graph relies on identity.
 */
function shiftLines<T>(value: T, delta: number, copies = new Map<object, unknown>()): T {
  if (delta === 0 || value === null || typeof value !== 'object') return value;
  const done = copies.get(value as object);
  if (done) return done as T;
  if (Array.isArray(value)) {
    const list: unknown[] = [];
    copies.set(value, list);
    for (const v of value) list.push(shiftLines(v, delta, copies));
    return list as T;
  }
  const copy: Record<string, unknown> = {};
  copies.set(value as object, copy);
  for (const [key, v] of Object.entries(value)) copy[key] = shiftLines(v, delta, copies);
  if (typeof copy.line === 'number' && typeof copy.character === 'number') copy.line = (copy.line as number) + delta;
  return copy as T;
}

class ElixirModelBuilder {
  private readonly lines: LineIndex;
  private readonly modules: ModuleInfo[] = [];
  private readonly serializers: Serializer[] = [];
  private readonly serverCalls: CallSite[] = [];
  private readonly suppressions: Suppression[] = [];
  private readonly linesInsideStrings = new Set<number>();

  private readonly nextCache = new Map<string, CachedModule>();
  private readonly nextLexical = new Map<string, CachedLexical>();

  private readonly root: Node;
  /** Query results by the id of the node queried: the file's root, or with a cache each top-level node. */
  private readonly captured = new Map<number, Captures>();
  private topLevelStarts?: number[];

  constructor(
    private readonly uri: string, private readonly text: string, private readonly tree: Tree, private readonly cache?: ModuleCache, lines?: LineIndex,
    private readonly budget?: Budget,
  ) {
    this.lines = lines ?? new LineIndex(text);
    this.root = tree.rootNode;
  }

  build(): FileModel {
    const root = this.root;
    this.scanLexical(root);
    this.visitContainer(root, { module: null, aliases: new Map(), attributes: new Map() });
    if (this.cache) {
      this.cache.entries = this.nextCache;
      this.cache.lexical = this.nextLexical;
    }
    return {
      uri: this.uri,
      language: 'elixir',
      role: fileRole(this.uri),
      modules: this.modules,
      serializers: this.serializers,
      serverCalls: this.serverCalls,
      suppressions: this.suppressions,
      linesInsideStrings: [...this.linesInsideStrings].sort((a, b) => a - b),
    };
  }

  private errorFree: boolean | undefined;

  /** The tree has no error and so no missing (zero-width) node: byte ranges alone say what lies inside what. */
  private withoutErrors(): boolean {
    return (this.errorFree ??= !this.root.hasError);
  }

  private capturesOf(node: Node): Captures {
    let found = this.captured.get(node.id);
    if (!found) {
      found = new Captures(node, modelQuery(this.tree));
      this.captured.set(node.id, found);
    }
    return found;
  }

  /**
   * The query results that hold a node: the whole file's, or with a cache (an open document) those of
   * the top-level node around it, so that a keystroke queries the module it is in, not the file.
   */
  private capturesAround(node: Node): Captures {
    if (!this.cache) return this.capturesOf(this.root);
    const children = this.root.children;
    this.topLevelStarts ??= children.map((c) => c?.startIndex ?? -1);
    const start = node.startIndex;
    const i = lowerBound(this.topLevelStarts, start + 1) - 1;
    const top = children[i];
    return top && top.endIndex >= node.endIndex ? this.capturesOf(top) : this.capturesOf(this.root);
  }

  /**
   * The calls under `root`, from the captures around it: those that start inside it. One that starts
   * where it starts may be an ancestor (larger, or of the same range: then told by id).
   */
  private callsInside(captures: Captures, root: Node): QueryCapture[] {
    const start = root.startIndex;
    const end = root.endIndex;
    const out: QueryCapture[] = [];
    let ancestors: Set<number> | undefined;
    for (let i = lowerBound(captures.callStarts, start); i < captures.calls.length && captures.callStarts[i] < end; i++) {
      const capture = captures.calls[i];
      if (captures.callStarts[i] === start && capture.node.id !== root.id) {
        const captureEnd = capture.node.endIndex;
        if (captureEnd > end) continue;
        if (captureEnd === end) {
          ancestors ??= sameRangeAncestors(root);
          if (ancestors.has(capture.node.id)) continue;
        }
      }
      out.push(capture);
    }
    return out;
  }

  private range(node: Node): Range {
    return this.lines.range(node.startIndex, node.endIndex);
  }

  private codeAt(node: Node): string {
    return this.lines.lineText(this.lines.position(node.startIndex).line).trim();
  }

  /**
   * Comments (suppressions) and multi-line strings, found by a query that runs inside the parser. With a
   * cache (an open document), only the top-level nodes whose text changed are queried again, so that a
   * keystroke costs the size of the module it is in, not of the file.
   */
  private scanLexical(root: Node): void {
    if (!this.cache) {
      this.scanLexicalIn(root, this.suppressions, this.linesInsideStrings);
      return;
    }
    for (const child of root.children) {
      if (!child) continue;
      const { line, character } = this.lines.position(child.startIndex);
      const key = `${character}\u0000${child.type}\u0000${child.text}`;
      let entry = this.cache.lexical.get(key);
      if (entry && entry.line !== line) {
        const delta = line - entry.line;
        entry = {
          line,
          suppressions: entry.suppressions.map((s) => ({ ...shiftLines(s, delta), line: s.line + delta })),
          stringLines: entry.stringLines.map((l) => l + delta),
        };
      } else if (!entry) {
        const suppressions: Suppression[] = [];
        const stringLines = new Set<number>();
        this.scanLexicalIn(child, suppressions, stringLines);
        entry = { line, suppressions, stringLines: [...stringLines] };
      }
      this.nextLexical.set(key, entry);
      this.suppressions.push(...entry.suppressions);
      for (const l of entry.stringLines) this.linesInsideStrings.add(l);
    }
  }

  private scanLexicalIn(node: Node, suppressions: Suppression[], stringLines: Set<number>): void {
    const { comments, quoted } = this.capturesOf(node);
    for (const comment of comments) {
      const suppression = parseSuppression(comment.text, '#', this.range(comment));
      if (suppression) suppressions.push(suppression);
    }
    for (const found of quoted) {
      const first = this.lines.position(found.startIndex).line;
      const last = this.lines.position(found.endIndex).line;
      for (let line = first + 1; line <= last; line++) stringLines.add(line);
    }
  }

  /** Finds module definitions at the top level, in module bodies and in blocks around them. */
  private visitContainer(node: Node, scope: Scope): void {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'call' && isIdentifier(child.childForFieldName('target'), 'defmodule')) {
        if (this.cache && scope.module === null) this.visitTopLevelModule(child, scope);
        else this.visitModule(child, scope);
      } else if (child.type === 'call' && isIdentifier(child.childForFieldName('target'), 'alias')) {
        this.collectAlias(child, scope);
      } else if (child.type === 'call' && doBlockOf(child) && !DEFINERS.has(child.childForFieldName('target')?.text as 'def')) {
        this.visitContainer(doBlockOf(child)!, scope);
      }
    }
  }

  /** A top-level module, reused from the cache when its text, column and surrounding aliases are unchanged. */
  private visitTopLevelModule(node: Node, scope: Scope): void {
    const { line, character } = this.lines.position(node.startIndex);
    const key = `${character}\u0000${[...scope.aliases].join(';')}\u0000${[...scope.attributes].join(';')}\u0000${node.text}`;
    const hit = this.cache!.entries.get(key);
    if (hit) {
      const moved = line === hit.line ? hit : { ...shiftLines({ modules: hit.modules, serializers: hit.serializers, serverCalls: hit.serverCalls }, line - hit.line), line };
      this.modules.push(...moved.modules);
      this.serializers.push(...moved.serializers);
      this.serverCalls.push(...moved.serverCalls);
      this.nextCache.set(key, moved);
      return;
    }
    const [modules, serializers, serverCalls] = [this.modules.length, this.serializers.length, this.serverCalls.length];
    this.visitModule(node, scope);
    this.nextCache.set(key, {
      line,
      modules: this.modules.slice(modules),
      serializers: this.serializers.slice(serializers),
      serverCalls: this.serverCalls.slice(serverCalls),
    });
  }

  private resolveAlias(name: string, scope: Scope): string {
    const [head, ...rest] = name.split('.');
    if (head === '__MODULE__' && scope.module) return [scope.module, ...rest].join('.');
    const full = scope.aliases.get(head);
    return full ? [full, ...rest].join('.') : name;
  }

  /** The module a call's receiver names: an alias, `__MODULE__`, an erlang atom or `@attribute`. */
  private moduleOf(receiver: Node, scope: Scope): string | null {
    switch (receiver.type) {
      case 'alias':
        return this.resolveAlias(receiver.text, scope);
      case 'atom':
        return receiver.text;
      case 'identifier':
        return receiver.text === '__MODULE__' ? scope.module : null;
      case 'dot': {
        // __MODULE__.Sub
        const left = receiver.childForFieldName('left');
        const right = receiver.childForFieldName('right');
        if (left && right && right.type === 'alias') {
          const base = this.moduleOf(left, scope);
          return base ? `${base}.${right.text}` : null;
        }
        return null;
      }
      case 'unary_operator': {
        const operand = receiver.childForFieldName('operand');
        if (receiver.child(0)?.type === '@' && operand?.type === 'identifier') return scope.attributes.get(operand.text) ?? null;
        return null;
      }
      default:
        return null;
    }
  }

  private collectAlias(call: Node, scope: Scope): void {
    const [target, options] = namedArgs(call);
    if (!target) return;
    const as = keywordValue(options, 'as');
    if (target.type === 'dot' && target.childForFieldName('right')?.type === 'tuple') {
      // alias Shop.{Repo, Catalog}
      const base = this.moduleOf(target.childForFieldName('left')!, scope);
      if (!base) return;
      for (const member of target.childForFieldName('right')!.namedChildren) {
        if (member?.type === 'alias') {
          const last = member.text.split('.').pop()!;
          scope.aliases.set(last, `${base}.${member.text}`);
        }
      }
      return;
    }
    const full = this.moduleOf(target, scope);
    if (!full) return;
    const short = as?.type === 'alias' ? as.text : full.split('.').pop()!;
    scope.aliases.set(short, full);
  }

  private visitModule(call: Node, outer: Scope): void {
    const [nameNode] = namedArgs(call);
    const body = doBlockOf(call);
    if (!nameNode || !body) return;
    const written = nameNode.type === 'alias' ? nameNode.text : this.moduleOf(nameNode, outer);
    if (!written) return;
    const name = outer.module && nameNode.type === 'alias' ? `${outer.module}.${written}` : written;
    if (outer.module && nameNode.type === 'alias') outer.aliases.set(written.split('.')[0], `${outer.module}.${written.split('.')[0]}`);
    const scope: Scope = { module: name, aliases: new Map(outer.aliases), attributes: new Map(outer.attributes) };

    const statements = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    let use: { kind: 'GenServer' | 'Agent'; node: Node } | undefined;
    let isRepo = false;
    let requestPath: RequestPathKind | undefined;
    let supervisor: ModuleInfo['supervisor'];
    const imports: string[] = [];
    const uses: string[] = [];
    // Aliases and attributes first: Elixir needs them before use, but a model that sees them all is simpler and rarely wrong.
    for (const statement of statements) {
      if (statement.type === 'call') {
        const target = statement.childForFieldName('target');
        if (isIdentifier(target, 'alias')) this.collectAlias(statement, scope);
      } else if (statement.type === 'unary_operator' && statement.child(0)?.type === '@') {
        const operand = statement.childForFieldName('operand');
        if (operand?.type === 'call') {
          const [value] = namedArgs(operand);
          const attr = operand.childForFieldName('target')?.text;
          if (attr && value && value.type === 'alias') scope.attributes.set(attr, this.resolveAlias(value.text, scope));
          if (attr && isIdentifier(value, '__MODULE__')) scope.attributes.set(attr, name); // `@name __MODULE__`
          if (attr === 'behaviour' && value && this.moduleOf(value, scope) === 'Plug') requestPath ??= 'plug';
        }
      }
    }
    const clauses: ParsedClause[] = [];
    const schemaBlocks: Node[] = [];
    for (const statement of statements) {
      if (statement.type !== 'call') continue;
      const target = statement.childForFieldName('target')?.text;
      if (target === 'use') {
        const [used, option] = namedArgs(statement);
        const usedName = used ? this.moduleOf(used, scope) : null;
        if (usedName === 'GenServer' || usedName === 'Agent') use ??= { kind: usedName, node: statement };
        if (usedName) uses.push(usedName);
        if (usedName && REPO_USES.has(usedName)) isRepo = true;
        if (usedName === 'Application') supervisor = 'application';
        if (usedName === 'Supervisor') supervisor ??= 'supervisor';
        if (usedName === 'DynamicSupervisor') supervisor ??= 'dynamic-supervisor';
        const kind = (usedName && REQUEST_PATH_USES.get(usedName)) || (option?.type === 'atom' ? WEB_USE_KINDS.get(option.text) : undefined);
        if (kind) requestPath ??= kind;
      } else if (target === 'import') {
        const [imported] = namedArgs(statement);
        const importedName = imported ? this.moduleOf(imported, scope) : null;
        if (importedName) imports.push(importedName);
      } else if (target === 'defmodule') {
        this.visitModule(statement, scope);
      } else if (target && DEFINERS.has(target as 'def')) {
        const parsed = this.functionClause(statement, DEFINERS.get(target as 'def')!, scope);
        if (parsed) clauses.push(parsed);
      } else if (doBlockOf(statement)) {
        this.visitContainer(doBlockOf(statement)!, scope);
        schemaBlocks.push(statement);
      }
    }
    // An Absinthe schema declares its fields in macro blocks (`field :flow do resolve(&Resolvers.Flows.flow/3) end`):
    // the resolvers they name run on every GraphQL request, like a controller's actions.
    if (uses.some((u) => /^Absinthe\.Schema(\.Notation)?$/.test(u)) && schemaBlocks.length > 0) {
      requestPath ??= 'graphql';
      const { calls } = this.collectCalls(schemaBlocks, scope);
      const first = schemaBlocks[0];
      clauses.push({
        clause: { name: 'resolvers', arity: 0, visibility: 'public', range: this.range(first), headRange: this.range(first), code: this.codeAt(first), calls: calls.filter((c) => c.module !== null), drainsMailbox: false },
        node: first, params: [], body: schemaBlocks, special: [],
      });
    }

    const functions = clauses.map((c) => c.clause);
    this.modules.push({
      name, uri: this.uri, range: this.range(call), nameRange: this.range(nameNode), isRepo, requestPath, supervisor, imports, uses, functions,
      children: this.children(name, clauses, scope),
    });
    for (const { clause } of clauses) {
      for (const site of clause.calls) if (site.serverCall) this.serverCalls.push(site);
    }
    if (use) this.serializers.push(this.serializer(name, use, call, nameNode, clauses, scope));
  }

  /**
   * Children the module starts under supervision: the lists it gives to Supervisor.start_link/init (through
   * variables, `++` and local functions that build them), and the specs it passes to DynamicSupervisor.start_child.
   */
  private children(moduleName: string, clauses: ParsedClause[], scope: Scope): ChildSpec[] {
    const out: ChildSpec[] = [];
    for (const { special } of clauses) {
      for (const { site, node } of special) {
        const args = namedArgs(node);
        const piped = pipedInto(node);
        const all = piped ? [piped, ...args] : args;
        if (site.module === 'Supervisor' && (site.fn === 'start_link' || site.fn === 'init') && all[0]) {
          for (const element of this.childList(all[0], clauses, new Set())) {
            const spec = this.childSpec(element, scope, moduleName, false);
            if (spec) out.push(spec);
          }
        } else if (site.module === 'DynamicSupervisor' && site.fn === 'start_child' && all[1]) {
          const spec = this.childSpec(all[1], scope, moduleName, true);
          if (spec) out.push(spec);
        }
      }
    }
    return out;
  }

  /** The elements of a children list: `[A, {B, opts}]`, `base ++ extra`, a variable bound to one, `children()`. */
  private childList(node: Node, clauses: ParsedClause[], seen: Set<number>): Node[] {
    if (seen.has(node.id) || seen.size > 50) return [];
    seen.add(node.id);
    if (node.type === 'list') return node.namedChildren.filter((c): c is Node => !!c && c.type !== 'keywords');
    if (node.type === 'binary_operator' && node.child(1)?.type === '++') {
      return [node.childForFieldName('left'), node.childForFieldName('right')].flatMap((side) => (side ? this.childList(side, clauses, seen) : []));
    }
    if (node.type === 'identifier') {
      const bound = boundValue(node, node.text);
      return bound ? this.childList(bound, clauses, seen) : [];
    }
    if (node.type === 'call') {
      const target = node.childForFieldName('target');
      if (target?.type === 'identifier') {
        // `children(opts)`: the lists the local function returns
        return clauses.filter((c) => c.clause.name === target.text).flatMap((c) => {
          const last = c.body[c.body.length - 1];
          return last ? this.childList(last, clauses, seen) : [];
        });
      }
      const [first] = namedArgs(node); // `Enum.reject([…], &is_nil/1)`, `List.flatten([…])`
      return first ? this.childList(first, clauses, seen) : [];
    }
    return [];
  }

  /** One child spec: `Mod`, `{Mod, opts}`, `Mod.child_spec(opts)`, `Supervisor.child_spec(spec, …)`, `%{start: {Mod, :start_link, [opts]}}`. */
  private childSpec(node: Node, scope: Scope, supervisor: string, dynamic: boolean): ChildSpec | undefined {
    let moduleNode: Node | undefined;
    let options: Node | undefined;
    if (node.type === 'alias' || isIdentifier(node, '__MODULE__')) {
      moduleNode = node;
    } else if (node.type === 'tuple') {
      [moduleNode, options] = node.namedChildren.filter(Boolean) as Node[];
    } else if (node.type === 'call') {
      const target = node.childForFieldName('target');
      const args = namedArgs(node);
      if (target?.type === 'dot' && target.childForFieldName('right')?.text === 'child_spec') {
        const left = target.childForFieldName('left')!;
        if (this.moduleOf(left, scope) === 'Supervisor') return args[0] ? this.childSpec(args[0], scope, supervisor, dynamic) : undefined;
        [moduleNode, options] = [left, args[0]];
      } else if (isIdentifier(target, 'worker') || isIdentifier(target, 'supervisor')) {
        [moduleNode, options] = [args[0], args[1]?.type === 'list' ? args[1].namedChildren[0] ?? undefined : undefined];
      }
    } else if (node.type === 'map') {
      const keywords = node.namedChildren.find((c) => c?.type === 'map_content')?.namedChildren.find((c) => c?.type === 'keywords') ?? undefined;
      const start = keywordValue(keywords, 'start');
      if (start?.type === 'tuple') {
        const [mod, , args] = start.namedChildren;
        moduleNode = mod ?? undefined;
        options = args?.type === 'list' ? args.namedChildren[0] ?? undefined : undefined;
      }
    }
    if (!moduleNode || !(moduleNode.type === 'alias' || isIdentifier(moduleNode, '__MODULE__'))) return undefined;
    const module = this.moduleOf(moduleNode, scope);
    if (!module) return undefined;
    const keywords = options?.type === 'keywords' ? options : options?.type === 'list' ? options.namedChildren.find((c) => c?.type === 'keywords') ?? undefined : undefined;
    const name = keywordValue(keywords, 'name');
    return {
      module, supervisor, dynamic, uri: this.uri, range: this.range(node), code: this.codeAt(node),
      registration: name ? this.nameRegistration(name, module, scope) : undefined,
    };
  }

  private functionClause(def: Node, visibility: 'public' | 'private', scope: Scope) {
    if (outOfTime(this.budget)) throw new BudgetExceeded('analysing', this.budget!.ms);
    let [head] = namedArgs(def);
    if (!head) return undefined;
    if (head.type === 'binary_operator' && head.child(1)?.type === 'when') head = head.childForFieldName('left')!;
    let name: string;
    let params: Node[] = [];
    if (head.type === 'call') {
      const target = head.childForFieldName('target');
      if (!target || target.type !== 'identifier') return undefined;
      name = target.text;
      params = namedArgs(head);
    } else if (head.type === 'identifier') {
      name = head.text;
    } else {
      return undefined;
    }
    const body = bodyOf(def);
    const { calls, drainsMailbox, special } = this.collectCalls(body, scope);
    const defaults = params.filter((p) => p.type === 'binary_operator' && p.child(1)?.type === '\\\\').length;
    const clause: FunctionClause = {
      name, arity: params.length, ...(defaults ? { minArity: params.length - defaults } : {}), visibility, range: this.range(def), headRange: this.range(head), code: this.codeAt(def), calls, drainsMailbox,
    };
    return { clause, node: def, params, body, special };
  }

  /**
   * Every call under the given nodes, with aliases resolved, found by one query per expression. Calls inside
   * work handed to another process are marked; nested module definitions are left to their own visit.
   */
  private collectCalls(body: Node[], scope: Scope): Collected {
    const out: Collected = { calls: [], drainsMailbox: false, special: [] };
    const exact = this.withoutErrors();
    for (const root of body) {
      // A tree with errors may hold zero-width nodes that ranges cannot place: its bodies are queried one by one.
      const around = exact ? this.capturesAround(root) : new Captures(root, modelQuery(this.tree));
      const captures = exact ? this.callsInside(around, root) : around.calls;
      // A pipe into the body itself lies outside it.
      const isPiped = (node: Node) => around.piped.has(node.id) && (!exact || node.startIndex > root.startIndex);
      const identifiers = () => around.identifiers(exact);
      const handedOff: Span[] = [];
      const skipped: Span[] = [];
      for (const { name, node } of captures) {
        if (inside(skipped, node)) continue;
        if (name === 'capture') {
          const site = this.captureSite(node, scope, inside(handedOff, node));
          if (site) {
            out.calls.push(site);
            skipped.push([node.startIndex, node.endIndex]);
          }
          continue;
        }
        const target = node.childForFieldName('target');
        if (!target) continue;
        // Each `type` and `text` is a wasm round trip: read them once.
        const targetType = target.type;
        const targetName = targetType === 'identifier' ? target.text : undefined;
        if (targetName === 'defmodule') {
          skipped.push([node.startIndex, node.endIndex]);
          continue;
        }
        if (targetName === 'receive') {
          out.drainsMailbox ||= drainsMailbox(node);
          continue;
        }
        const site = this.callSite(node, target, targetType, targetName, scope, inside(handedOff, node), isPiped(node), identifiers);
        if (!site) continue;
        out.calls.push(site);
        if (handsOff(site.module, site.fn)) handedOff.push([node.startIndex, node.endIndex]);
        if (site.module && SPECIAL_MODULES.has(site.module)) out.special.push({ site, node });
      }
    }
    return out;
  }

  /** Module and function a call's target names; undefined for calls that cannot be resolved (`fun.(x)`, `var.f()`). */
  private resolveTarget(target: Node, scope: Scope, type = target.type, name?: string): { module: string | null; fn: string } | undefined {
    if (type === 'dot') {
      const right = target.childForFieldName('right');
      const left = target.childForFieldName('left');
      if (!right || right.type !== 'identifier' || !left) return undefined; // fun.(x) or Mod.Sub
      const module = this.moduleOf(left, scope);
      return module === null ? undefined : { module, fn: right.text };
    }
    if (type === 'identifier') {
      const fn = name ?? target.text;
      if (NOT_CALLS.has(fn)) return undefined;
      return { module: KERNEL_CALLS.has(fn) ? 'Kernel' : null, fn };
    }
    return undefined;
  }

  /** `&helper/1` or `&Mod.fun/2`: a reference that a higher-order function will call. */
  private captureSite(node: Node, scope: Scope, handedOff: boolean): CallSite | undefined {
    const operand = node.childForFieldName('operand');
    if (operand?.type !== 'binary_operator' || operand.child(1)?.type !== '/') return undefined;
    const right = operand.childForFieldName('right');
    let left = operand.childForFieldName('left');
    if (!left || right?.type !== 'integer') return undefined;
    if (left.type === 'call' && namedArgs(left).length === 0) left = left.childForFieldName('target');
    const resolved = left ? this.resolveTarget(left, scope) : undefined;
    if (!resolved || INERT_MODULES.has(resolved.module!)) return undefined;
    return {
      uri: this.uri, range: this.range(node), module: resolved.module, fn: resolved.fn, arity: Number(right.text),
      mentions: [], handedOff, code: this.codeAt(node), slow: slowKind(resolved.module, resolved.fn),
    };
  }

  private callSite(
    node: Node, target: Node, targetType: string, targetName: string | undefined, scope: Scope, handedOff: boolean, piped: boolean,
    identifiers: () => IdentifierIndex,
  ): CallSite | undefined {
    const resolved = this.resolveTarget(target, scope, targetType, targetName);
    if (!resolved || INERT_MODULES.has(resolved.module!)) return undefined;
    const { module, fn } = resolved;
    const args = argumentsOf(node, target);
    const slow = slowKind(module, fn);
    // What the arguments mention matters for slow calls and for the calls that lead to them (does the
    // work take the state?): local calls and calls into the workspace's modules. The standard library's
    // are skipped: computing it for every call would be wasted work.
    const mentions = new Set<string>();
    if (slow || module === null || module === scope.module || !(module.startsWith(':') || STANDARD_MODULES.has(module.split('.')[0]))) {
      // Every identifier in the argument list lies in one argument, in order: one lookup does for all.
      if (args) identifiers().addTo(args, mentions);
      if (piped) identifiers().addTo(node.parent!.childForFieldName('left')!, mentions);
    }
    const op = serverOp(module, fn);
    // The arguments themselves (a Node each) only for the calls that address a server.
    const list = op && args ? (args.namedChildren.filter(Boolean) as Node[]) : [];
    return {
      uri: this.uri,
      range: this.range(node),
      module,
      fn,
      arity: (args ? args.namedChildCount : 0) + (piped ? 1 : 0),
      mentions: [...mentions],
      handedOff,
      code: this.codeAt(node),
      serverCall: op ? this.serverCall(op, module, piped ? null : list[0] ?? null, scope, list[piped ? 0 : 1]) : undefined,
      slow,
    };
  }

  private serverCall(op: string, module: string | null, first: Node | null, scope: Scope, message?: Node): ServerCall {
    const tag = module !== 'Agent' && message ? messageTag(message) : undefined;
    return { op, target: first ? this.serverTarget(first, scope) : 'dynamic', waits: WAITING_OPS.has(op), ...(tag ? { tag } : {}) };
  }

  private serverTarget(node: Node, scope: Scope): string {
    if (node.type === 'call' && isIdentifier(node.childForFieldName('target'), 'self') && namedArgs(node).length === 0) return 'self';
    if (node.type === 'alias' || isIdentifier(node, '__MODULE__') || node.type === 'unary_operator') return this.moduleOf(node, scope) ?? 'dynamic';
    if (node.type === 'atom') return node.text;
    if (node.type === 'tuple') {
      const [kind, name] = node.namedChildren;
      if (kind?.text === ':global' && name) {
        const fixed = name.type === 'atom' ? name.text : name.type === 'alias' || isIdentifier(name, '__MODULE__') ? this.moduleOf(name, scope) : null;
        if (fixed) return `{:global, ${fixed}}`;
      }
    }
    return 'dynamic';
  }

  private serializer(
    name: string, use: { kind: 'GenServer' | 'Agent'; node: Node }, moduleNode: Node, nameNode: Node,
    clauses: ParsedClause[], scope: Scope,
  ): Serializer {
    const handlers: Handler[] = [];
    const signals: Signal[] = [];
    const signal = (kind: SignalKind, node: Node | Range, why: string, code?: string) => {
      const range = 'startIndex' in node ? this.range(node) : node;
      signals.push({ kind, range, why, code: code ?? this.lines.lineText(range.start.line).trim() });
    };
    const special = clauses.flatMap((c) => c.special);
    const registration = this.registration(special, use.kind, name, scope);

    for (const { clause, params, body } of clauses) {
      if (use.kind === 'GenServer' && clause.visibility === 'public' && OTP_CALLBACKS.has(clause.name)) {
        const kind = clause.name as HandlerKind;
        const stateIndex = kind === 'init' ? -1 : kind === 'code_change' ? 1 : params.length - 1;
        const { stateUse, changedAt, stateParam } = stateIndex >= 0 ? this.stateUse(params[stateIndex], body, kind) : { stateUse: 'unknown' as StateUse, changedAt: [], stateParam: null };
        const message = kind === 'init' || kind === 'terminate' ? '' : params[0]?.text ?? '';
        // A cast of a bare atom (`:refresh`) is a trigger for the server's own job, not a caller's request
        // queued behind the others: only calls and casts that carry a caller's data serve callers.
        const servesCallers = kind === 'handle_call' || (kind === 'handle_cast' && params[0]?.type !== 'atom');
        const tag = kind === 'init' || kind === 'terminate' || !params[0] ? undefined : messageTag(params[0]);
        const served = kind === 'handle_call' || kind === 'handle_cast' || kind === 'handle_info';
        const stateAccess = served && stateIndex >= 0 && params[stateIndex] && params[0]
          ? accessOfState(body, stateVariables(params[stateIndex]), variablesIn(params[0])) : 'none';
        handlers.push({ ...clause, kind, message, ...(tag ? { tag } : {}), stateParam, stateUse, stateAccess, servesCallers });
        if (kind === 'handle_call' || kind === 'handle_cast' || kind === 'handle_info') {
          if (stateUse === 'changed') for (const at of changedAt) signal('state-changed', at, `${kind}(${message}) returns a changed state`);
          if (stateUse === 'read') signal('state-read', params[stateIndex], `${kind}(${message}) reads the state`);
        }
        if (kind === 'handle_continue') signal('continue', clause.headRange, 'continues start-up after init (handle_continue)');
        if (kind === 'terminate') signal('terminate', clause.headRange, 'cleans up on exit (terminate)');
        if (kind === 'handle_info' && /^\{\s*:(DOWN|EXIT)\b/.test(message)) signal('handles-down', clause.headRange, `reacts when a watched process exits (${message.split(',')[0]}, …})`);
        if (kind === 'handle_info' && /^\{\s*:(tcp|ssl|udp)\b/.test(message)) signal('socket-io', clause.headRange, 'receives data from a socket');
        if (kind === 'init') {
          for (const expr of body) this.forEachReplyTuple(expr, (tuple) => {
            if (tuple.namedChildren[0]?.text === ':ok' && /^\{\s*:continue\b/.test(tuple.namedChildren[2]?.text ?? '')) signal('continue', tuple, 'init continues start-up with handle_continue');
          });
        }
      }
    }
    if (use.kind === 'Agent') this.agentHandlers(clauses, name, scope, handlers, signal);

    // Signals from calls that run inside the server: callbacks and the module functions they reach.
    const functions = clauses.map((c) => c.clause);
    const reached = clausesReached(handlers, name, functions);
    for (const fnClause of reached) {
      if (fnClause.drainsMailbox) signal('batches-callers', fnClause.headRange, 'answers the callers queued behind one request together (drains waiting calls)');
      for (const call of fnClause.calls) {
        if (call.serverCall?.op === 'send' && call.serverCall.target === 'self') continue;
        const found = signalFor(call.module, call.fn, call, name);
        if (found) signals.push({ kind: found.kind, range: call.range, why: found.why, code: call.code });
      }
    }

    return {
      language: 'elixir',
      uri: this.uri,
      name,
      kind: use.kind,
      declaration: this.range(use.node),
      nameRange: this.range(nameNode),
      moduleRange: this.range(moduleNode),
      registration,
      singleton: registration.kind === 'name' || registration.kind === 'global',
      handlers,
      functions,
      signals: dedupeSignals(signals),
    };
  }

  /** Agents keep their callbacks in anonymous functions passed to Agent.get/update/…: each one is a handler. */
  private agentHandlers(clauses: ParsedClause[], selfName: string, scope: Scope, handlers: Handler[], signal: (k: SignalKind, n: Node, why: string) => void): void {
    for (const { special, params } of clauses) {
      // A key the client function takes (`def get(user_id)`) is the caller's key inside its Agent function.
      const keyVariables = new Set(params.flatMap((p) => [...variablesIn(p)]));
      for (const { site, node } of special) {
        if (site.module !== 'Agent' || !['get', 'update', 'get_and_update', 'cast'].includes(site.fn)) continue;
        const args = namedArgs(node);
        const lambda = args.find((a) => a.type === 'anonymous_function' || isCapture(a));
        const addressed = site.serverCall?.target ?? 'dynamic';
        if (!lambda || !(addressed === selfName || addressed === 'self' || addressed === 'dynamic')) continue;
        let body: Node[];
        let stateNames: Set<string>;
        let ignoresState: boolean;
        let stateParam: string | null;
        if (lambda.type === 'anonymous_function') {
          const clauseNode = lambda.namedChildren.find((c) => c?.type === 'stab_clause');
          const param = clauseNode?.childForFieldName('left')?.namedChildren[0] ?? null;
          const bodyNode = clauseNode?.childForFieldName('right');
          body = bodyNode ? [bodyNode] : [];
          stateNames = param ? stateVariables(param) : new Set();
          ignoresState = !param || /^_/.test(param.text);
          stateParam = ignoresState ? null : param!.text;
        } else {
          // `& &1`, `&Map.get(&1, id)`, or a function reference `&Map.keys/1` that is given the whole state
          const operand = captureOperand(lambda)!;
          body = [operand];
          stateNames = new Set(['&1']);
          ignoresState = !(isFunctionReference(lambda) || mentionsFirstArgument(operand));
          stateParam = ignoresState ? null : '&1';
        }
        const { calls } = this.collectCalls(lambda.type === 'anonymous_function' ? body : [lambda], scope);
        const fn = site.fn;
        const stateUse: StateUse = fn === 'get' ? (ignoresState ? 'ignored' : 'read') : 'changed';
        const stateAccess: StateAccess = ignoresState ? 'none' : isFunctionReference(lambda) ? 'whole' : accessOfState(body, stateNames, keyVariables);
        handlers.push({
          name: `Agent.${fn}`, arity: 1, visibility: 'private', range: this.range(lambda), headRange: this.range(node),
          code: this.codeAt(node), calls, drainsMailbox: false, kind: `agent_${fn}` as HandlerKind, message: '',
          stateParam, stateUse, stateAccess, servesCallers: true,
        });
        if (stateUse === 'changed') signal('state-changed', node, `Agent.${fn} changes the shared state`);
        else if (stateUse === 'read') signal('state-read', node, 'Agent.get reads the shared state');
      }
    }
  }

  /** How the registered name is given in start_link / start: `name: __MODULE__`, `{:global, …}`, `{:via, …}`. */
  private registration(special: ParsedClause['special'], kind: 'GenServer' | 'Agent', selfName: string, scope: Scope): Registration {
    const start = special.find(({ site }) => site.module === kind && (site.fn === 'start_link' || site.fn === 'start'));
    if (!start) return { kind: 'none', text: '' };
    const options = namedArgs(start.node)[kind === 'GenServer' ? 2 : 1];
    if (!options) return { kind: 'none', text: '' };
    if (options.type === 'keywords' || options.type === 'list') {
      const keywords = options.type === 'list' ? options.namedChildren.find((c) => c?.type === 'keywords') ?? undefined : options;
      const value = keywordValue(keywords, 'name');
      return value ? this.nameRegistration(value, selfName, scope, start.node) : { kind: 'none', text: '' };
    }
    return { kind: 'dynamic', text: options.text, range: this.range(options) };
  }

  private nameRegistration(value: Node, selfName: string, scope: Scope, startCall?: Node): Registration {
    const range = this.range(value);
    const text = value.text;
    if (value.type === 'alias' || isIdentifier(value, '__MODULE__')) {
      return { kind: 'name', name: this.moduleOf(value, scope) ?? selfName, text, range };
    }
    if (value.type === 'unary_operator' && value.child(0)?.type === '@') {
      const attribute = this.moduleOf(value, scope); // `@name` set to a module or __MODULE__
      return attribute ? { kind: 'name', name: attribute, text, range } : { kind: 'dynamic', text, range };
    }
    if (value.type === 'identifier' && startCall) {
      // `name = Keyword.get(opts, :name, __MODULE__)` or `{name, opts} = Keyword.pop(opts, :name, @name)` earlier in start_link
      const bound = boundValue(startCall, value.text);
      const inner = bound ? this.nameRegistration(bound, selfName, scope) : undefined;
      if (inner && (inner.kind === 'name' || inner.kind === 'global')) return { ...inner, text, range };
    }
    if (value.type === 'atom') return { kind: 'name', name: value.text, text, range };
    if (value.type === 'tuple') {
      const [how, key] = value.namedChildren;
      if (how?.text === ':global' && key && (key.type === 'atom' || key.type === 'alias' || isIdentifier(key, '__MODULE__'))) {
        return { kind: 'global', name: key.type === 'atom' ? key.text : this.moduleOf(key, scope) ?? selfName, text, range };
      }
      if (how?.text === ':global') return { kind: 'dynamic', text, range };
      if (how?.text === ':via') return { kind: 'via', text, range };
    }
    // `Keyword.get(opts, :name, __MODULE__)` or `opts[:name] || __MODULE__`: the default is one fixed name.
    const fallback = defaultName(value);
    if (fallback) {
      const inner = this.nameRegistration(fallback, selfName, scope);
      if (inner.kind === 'name' || inner.kind === 'global') return { ...inner, text, range };
    }
    return { kind: 'dynamic', text, range };
  }

  /** How a callback uses its state parameter, and where it returns a changed state. */
  private stateUse(param: Node | undefined, body: Node[], kind: HandlerKind): { stateUse: StateUse; changedAt: Node[]; stateParam: string | null } {
    if (!param) return { stateUse: 'unknown', changedAt: [], stateParam: null };
    let name: string | null = null;
    let destructured = false;
    if (param.type === 'identifier') {
      name = param.text;
    } else if (param.type === 'binary_operator' && param.child(1)?.type === '=') {
      const left = param.childForFieldName('left');
      const right = param.childForFieldName('right');
      name = isIdentifier(right) ? right!.text : isIdentifier(left) ? left!.text : null;
      destructured = true;
    } else {
      destructured = true;
    }
    const ignored = name !== null && name.startsWith('_') && !destructured;
    const stateElements: Node[] = [];
    for (const expr of body) this.forEachReplyTuple(expr, (tuple) => {
      const element = stateElementOf(tuple, kind);
      if (element) stateElements.push(element);
    });
    // `{reply, state} = step(state)` or `state = refill(state)`: a reply of `state` then returns a new value.
    const rebound = name !== null && body.some((expr) => rebinds(expr, name!));
    const changedAt = stateElements.filter((el) => (rebound || !(name !== null && isIdentifier(el, name))) && !isConstant(el));
    // Reads: the state name appearing anywhere except as the bare state element of a reply.
    let reads = destructured;
    if (!reads && name && !ignored) {
      const bare = new Set(stateElements.filter((el) => isIdentifier(el, name!)).map((el) => el.startIndex));
      for (const expr of body) {
        walkNamed(expr, (node) => {
          if (node.type === 'identifier' && node.text === name && !bare.has(node.startIndex)) reads = true;
          return !reads;
        });
      }
    }
    const stateParam = ignored ? null : name;
    if (changedAt.length > 0) return { stateUse: 'changed', changedAt, stateParam };
    // `use_token!(token, state, fn … end)`: the reply, and the state in it, come from a function given the state.
    if (reads && name && returnsFromCallWith(body, name)) return { stateUse: 'unknown', changedAt, stateParam };
    if (reads) return { stateUse: 'read', changedAt, stateParam };
    if (stateElements.length === 0) return { stateUse: 'unknown', changedAt, stateParam };
    return { stateUse: ignored ? 'ignored' : 'unchanged', changedAt, stateParam };
  }

  /** Visits `{:reply, …}`, `{:noreply, …}`, `{:stop, …}` and `{:ok, …}` tuples, outside handed-off closures. */
  private forEachReplyTuple(root: Node, visit: (tuple: Node) => void): void {
    walkNamed(root, (node) => {
      if (node.type === 'tuple') {
        const tag = node.namedChildren[0];
        if (tag?.type === 'atom' && /^:(reply|noreply|stop|ok)$/.test(tag.text)) visit(node);
      }
      return node.type !== 'anonymous_function';
    });
  }
}

/**
 * A `receive` that takes waiting `$gen_call` messages or returns at once (`after 0`): the server collects
 * the callers queued behind this one and answers them together.
 */
function drainsMailbox(receive: Node): boolean {
  const text = receive.text;
  return /"\$gen_call"/.test(text) || /\bafter\s+0\s*->/.test(text);
}

/** The state element of a callback's return tuple. */
function stateElementOf(tuple: Node, kind: HandlerKind): Node | null {
  const items = tuple.namedChildren.filter(Boolean) as Node[];
  const tag = items[0]?.text;
  if (tag === ':reply' && items.length >= 3) return items[2];
  if (tag === ':noreply' && items.length >= 2) return items[1];
  if (tag === ':stop' && items.length === 3) return items[2];
  if (tag === ':stop' && items.length === 4) return items[3];
  if (tag === ':ok' && kind === 'init' && items.length >= 2) return items[1];
  return null;
}

/** The default in `Keyword.get(opts, :name, Default)`, `Keyword.pop(opts, :name, Default)`, `opts[:name] || Default`. */
function defaultName(value: Node): Node | null {
  if (value.type === 'call') {
    const target = value.childForFieldName('target');
    if (target?.type === 'dot' && target.childForFieldName('left')?.text === 'Keyword' && /^(get|pop)$/.test(target.childForFieldName('right')?.text ?? '')) {
      return namedArgs(value)[2] ?? null;
    }
  }
  if (value.type === 'binary_operator' && value.child(1)?.type === '||') return value.childForFieldName('right');
  return null;
}

/**
 * What a variable was bound to before `call` in the same function: `var = expr`, or the first element of
 * `{var, rest} = expr` (as `Keyword.pop` returns it).
 */
function boundValue(call: Node, variable: string): Node | null {
  let def: Node | null = call.parent;
  while (def && !(def.type === 'call' && DEFINERS.has(def.childForFieldName('target')?.text as 'def'))) def = def.parent;
  if (!def) return null;
  let found: Node | null = null;
  for (const expr of bodyOf(def)) {
    walkNamed(expr, (node) => {
      if (node.startIndex >= call.startIndex) return false;
      if (node.type === 'binary_operator' && node.child(1)?.type === '=') {
        const left = node.childForFieldName('left');
        const first = left?.type === 'tuple' ? left.namedChildren[0] : left;
        if (isIdentifier(first, variable)) found = node.childForFieldName('right');
      }
      return true;
    });
  }
  return found;
}


function dedupeSignals(signals: Signal[]): Signal[] {
  const seen = new Set<string>();
  return signals.filter((s) => {
    const key = `${s.kind}:${s.range.start.line}:${s.range.start.character}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The ancestors of a node that have its range (a body whose only child is one expression). */
function sameRangeAncestors(node: Node): Set<number> {
  const out = new Set<number>();
  const [start, end] = [node.startIndex, node.endIndex];
  for (let up = node.parent; up && up.startIndex === start && up.endIndex === end; up = up.parent) out.add(up.id);
  return out;
}

/** `:get` → `get`, `{:get, id}` → `get`: how a message is matched to the handler that answers it. */
function messageTag(node: Node): string | undefined {
  const first = node.type === 'tuple' ? node.namedChildren[0] : node;
  return first?.type === 'atom' ? first.text.replace(/^:"?|"$/g, '') : undefined;
}

/** The variables a pattern binds (`{:get, id}` → id), without `_` ones. */
function variablesIn(pattern: Node): Set<string> {
  const out = new Set<string>();
  for (const name of identifiersIn(pattern, new Set())) if (!name.startsWith('_') && name !== '__MODULE__') out.add(name);
  return out;
}

/** The names a state parameter binds: `state`, `%{users: users} = state` → state and users. */
function stateVariables(param: Node): Set<string> {
  return variablesIn(param);
}

/** `&…` that is not a reference like `&helper/1`. */
function isCapture(node: Node): boolean {
  return node.type === 'unary_operator' && node.child(0)?.type === '&';
}

/** `&Map.keys/1`, `&fetch/1`: a named function given the argument. */
function isFunctionReference(node: Node): boolean {
  const operand = captureOperand(node);
  return isCapture(node) && operand?.type === 'binary_operator' && operand.child(1)?.type === '/';
}

function isFirstArgument(node: Node): boolean {
  const operand = isCapture(node) ? captureOperand(node) : null;
  return operand?.type === 'integer' && operand.text === '1';
}

/** What `&` applies to. (In `&(…)` the grammar's `operand` field is the parenthesis: take the first named child.) */
function captureOperand(node: Node): Node | null {
  return node.namedChildren[0] ?? null;
}

function mentionsFirstArgument(root: Node): boolean {
  let found = false;
  walkNamed(root, (node) => {
    if (isFirstArgument(node)) found = true;
    return !found;
  });
  return found;
}

/** Map functions that touch one key, given the map first and the key second. */
const KEYED_MAP_FUNCTIONS = /^(get|fetch|fetch!|put|put_new|put_new_lazy|update|update!|delete|pop|pop_lazy|has_key\?|get_lazy|get_and_update|get_and_update!|replace|replace!)$/;
const KEYED_PATH_FUNCTIONS = /^(get_in|put_in|update_in|pop_in|get_and_update_in)$/;

/**
 * How a callback body touches its state: 'keyed' when every use picks one entry by a key taken from the
 * caller's message (`Map.get(state, id)`, `state[id]`, `put_in(state.users[id], u)`); 'whole' when it
 * returns, scans or replaces the state or reads fixed fields; 'none' when it does not use it.
 */
function accessOfState(body: Node[], stateNames: Set<string>, keyVariables: Set<string>): StateAccess {
  let keyed = 0;
  let whole = 0;
  const isState = (node: Node) => (node.type === 'identifier' && stateNames.has(node.text)) || (stateNames.has('&1') && isFirstArgument(node));
  const byKey = (key: Node | null | undefined) => {
    const used = key ? variablesIn(key) : new Set<string>();
    if (used.size > 0 && [...used].every((v) => keyVariables.has(v))) keyed++;
    else whole++;
  };
  const classify = (node: Node) => {
    let expr = node;
    // `state.users` is still the state: look at what is done with it.
    while (expr.parent?.type === 'dot' && expr.parent.childForFieldName('left')?.id === expr.id && expr.parent.parent?.type === 'call') expr = expr.parent.parent;
    const parent = expr.parent;
    if (!parent) return void whole++;
    if (parent.type === 'access_call' && parent.childForFieldName('target')?.id === expr.id) return byKey(parent.childForFieldName('key'));
    if (parent.type === 'binary_operator' && parent.child(1)?.type === '=' && parent.childForFieldName('left')?.id === expr.id) return; // rebinding
    if (parent.type === 'arguments' && parent.namedChildren[0]?.id === expr.id) {
      const call = parent.parent!;
      const target = call.childForFieldName('target');
      const fn = target?.type === 'dot' ? target.childForFieldName('right')?.text : target?.text;
      const module = target?.type === 'dot' ? target.childForFieldName('left')?.text : null;
      const args = parent.namedChildren;
      if ((module === 'Map' || module === 'Keyword') && fn && KEYED_MAP_FUNCTIONS.test(fn)) return byKey(args[1]);
      if (!module && fn && KEYED_PATH_FUNCTIONS.test(fn)) return byKey(args[1]);
    }
    if (parent.type === 'binary_operator' && parent.child(1)?.type === '|>' && parent.childForFieldName('left')?.id === expr.id) {
      const right = parent.childForFieldName('right');
      const target = right?.type === 'call' ? right.childForFieldName('target') : null;
      if (target?.type === 'dot' && ['Map', 'Keyword'].includes(target.childForFieldName('left')?.text ?? '') && KEYED_MAP_FUNCTIONS.test(target.childForFieldName('right')?.text ?? '')) {
        return byKey(namedArgs(right!)[0]);
      }
    }
    if (parent.type === 'tuple' && stateElementOf(parent, 'handle_call')?.id === expr.id) return; // handed back unchanged
    whole++;
  };
  for (const expr of body) {
    walkNamed(expr, (node) => {
      if (!isState(node)) return true;
      classify(node);
      return false;
    });
  }
  if (whole > 0) return 'whole';
  return keyed > 0 ? 'keyed' : 'none';
}

/** The value piped into a call (`children |> Supervisor.init(…)`), when it is the right side of a pipe. */
function pipedInto(call: Node): Node | undefined {
  const parent = call.parent;
  if (parent?.type === 'binary_operator' && parent.child(1)?.type === '|>' && parent.childForFieldName('right')?.id === call.id) {
    return parent.childForFieldName('left') ?? undefined;
  }
  return undefined;
}

/** The variable is bound again in the body: on the left of `=` or `<-`, or in a `case`/`with` clause pattern (not `^pinned`). */
export function rebinds(root: Node, name: string): boolean {
  const binds = (pattern: Node | null | undefined): boolean => {
    let found = false;
    if (pattern) {
      walkNamed(pattern, (n) => {
        if (n.type === 'identifier' && n.text === name) found = true;
        return !found && !(n.type === 'unary_operator' && n.child(0)?.type === '^');
      });
    }
    return found;
  };
  let found = false;
  walkNamed(root, (node) => {
    if (found) return false;
    if (node.type === 'binary_operator' && (node.child(1)?.type === '=' || node.child(1)?.type === '<-') && binds(node.childForFieldName('left'))) found = true;
    else if (node.type === 'stab_clause' && binds(node.childForFieldName('left'))) found = true;
    return !found && node.type !== 'anonymous_function'; // a fn has its own scope
  });
  return found;
}

const CONTROL_FLOW = new Set(['case', 'if', 'unless', 'cond', 'with', 'try', 'receive']);

/** The body ends in a call (not control flow, not a tuple) that is given the state: its result is the reply. */
function returnsFromCallWith(body: Node[], state: string): boolean {
  const last = body[body.length - 1];
  if (!last) return false;
  const call = last.type === 'binary_operator' && last.child(1)?.type === '|>' ? last : last.type === 'call' ? last : null;
  if (!call) return false;
  if (call.type === 'call' && CONTROL_FLOW.has(call.childForFieldName('target')?.text ?? '')) return false;
  return identifiersIn(call, new Set()).has(state);
}
