// TypeScript/JavaScript front end: a TypeScript syntax tree (the compiler bundled in ts-morph) -> the
// language-neutral FileModel. It knows the Node libraries that serialize work (async-mutex, p-queue,
// p-limit, bottleneck, async, promise chains, worker_threads, child_process) and the pooled clients
// (pg, mysql2, knex, Prisma, TypeORM, mongodb, mongoose, ioredis, redis, HTTP clients). Syntax decides
// everything here; the type checker is not used.
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { ts } from 'ts-morph';
import type { CallSite, FileModel, FunctionClause, Handler, ModuleInfo, Range, Serializer, SerializerKind, Signal, Suppression } from '../model';
import { LineIndex } from '../positions';
import { parseSuppression } from '../suppressions';

export const TYPESCRIPT_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export { isTypeScriptUri } from './lazy';

/** Packages whose clients hand each call a connection from a pool (or a multiplexed connection). */
const POOLED = new Map<string, string>([
  ['pg', 'pg'], ['pg-pool', 'pg'], ['mysql2', 'mysql2'], ['mysql2/promise', 'mysql2'], ['knex', 'knex'],
  ['@prisma/client', 'prisma'], ['typeorm', 'typeorm'], ['mongodb', 'mongodb'], ['mongoose', 'mongoose'],
  ['ioredis', 'redis'], ['redis', 'redis'], ['axios', 'http'], ['undici', 'http'], ['got', 'http'], ['node-fetch', 'http'],
]);

/** The key a module is known by across files: its path without the extension (`./db.js` names `db.ts`). */
export function moduleKey(uri: string): string {
  return uri.replace(/\.(d\.)?[cm]?[jt]sx?$/, '').replace(/\/index$/, '');
}

export function resolveSpecifier(fromUri: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return resolveThroughTsconfig(fromUri, specifier);
  const base = fromUri.slice(0, fromUri.lastIndexOf('/') + 1);
  const parts = (base + specifier).replace(/^[a-z]+:\/\/[^/]*/i, '').split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.') out.push(p);
  }
  const prefix = /^[a-z]+:\/\/[^/]*/i.exec(fromUri)?.[0] ?? '';
  return moduleKey(prefix + out.join('/'));
}

interface PathConfig { dir: string; baseUrl?: string; paths: [prefix: string, suffix: string, targets: string[]][] }
const tsconfigs = new Map<string, PathConfig | null>();

/** The nearest tsconfig.json above a folder (its `baseUrl` and `paths`; `extends` is not followed). */
function pathConfig(dir: string): PathConfig | undefined {
  if (tsconfigs.has(dir)) return tsconfigs.get(dir) ?? undefined;
  let found: PathConfig | null = null;
  const file = path.join(dir, 'tsconfig.json');
  if (fs.existsSync(file)) {
    const { config } = ts.parseConfigFileTextToJson(file, fs.readFileSync(file, 'utf8'));
    const options = (config?.compilerOptions ?? {}) as { baseUrl?: string; paths?: Record<string, string[]> };
    const baseUrl = options.baseUrl !== undefined ? path.resolve(dir, options.baseUrl) : undefined;
    const paths = Object.entries(options.paths ?? {}).map(([pattern, targets]): PathConfig['paths'][number] => {
      const [prefix, suffix = ''] = pattern.split('*');
      return [prefix, pattern.includes('*') ? suffix : '\u0000', targets.map((t) => path.resolve(baseUrl ?? dir, t))];
    });
    found = { dir, baseUrl, paths };
  } else if (path.dirname(dir) !== dir && !fs.existsSync(path.join(dir, 'package.json'))) {
    found = pathConfig(path.dirname(dir)) ?? null;
  }
  tsconfigs.set(dir, found);
  return found ?? undefined;
}

/** `@/lib/db` or `src/db` through tsconfig `paths` and `baseUrl`, to a file of the workspace (not a package). */
function resolveThroughTsconfig(fromUri: string, specifier: string): string | undefined {
  if (!fromUri.startsWith('file:')) return undefined;
  let file: string;
  try {
    file = fileURLToPath(fromUri);
  } catch {
    return undefined;
  }
  const config = pathConfig(path.dirname(file));
  if (!config) return undefined;
  const candidates: string[] = [];
  for (const [prefix, suffix, targets] of config.paths) {
    if (suffix === '\u0000' ? specifier === prefix : specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
      const star = suffix === '\u0000' ? '' : specifier.slice(prefix.length, specifier.length - suffix.length);
      candidates.push(...targets.map((t) => t.replace('*', star)));
    }
  }
  if (config.baseUrl) candidates.push(path.join(config.baseUrl, specifier));
  for (const base of candidates) {
    const stem = base.replace(/\.[cm]?[jt]sx?$/, ''); // a target may name its extension
    for (const ext of ['.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.js']) {
      if (fs.existsSync(stem + ext)) return moduleKey(pathToFileURL(stem + ext).href);
    }
  }
  return undefined;
}

interface Binding {
  /** An imported name: the package and the name imported from it ('default' for default imports). */
  source?: string;
  imported?: string;
  /** A serializer or pooled client created here. */
  serializer?: SerializerKind;
  resource?: string;
  /** For serializers: a timeout or a bound on what waits. */
  limits?: { timeout: boolean; bound: boolean };
  /** For a one-at-a-time async queue: the worker function is its section. */
  worker?: ts.Node;
  node?: ts.Node;
  /** An instance of a class of this file (`export const inventory = new Inventory()`). */
  classOf?: string;
  /** `new Map()`: state shared by every caller of the module. */
  map?: boolean;
  /** A class field of this class, which is a serializer only if the class has a module-level instance. */
  ownerClass?: string;
}

export function buildTypeScriptModel(uri: string, text: string): FileModel {
  return new TypeScriptModelBuilder(uri, text).build();
}

function scriptKind(uri: string): ts.ScriptKind {
  if (/\.tsx$/.test(uri)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(uri)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(uri)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

const SECTION_METHODS: Record<string, string[]> = {
  // async-mutex's runExclusive, and what hand-written locks call it: run, withLock, exclusive.
  Mutex: ['runExclusive', 'run', 'withLock', 'exclusive'],
  Queue: ['add', 'addAll', 'push', 'unshift'],
  Limiter: ['schedule', 'wrap', 'submit'],
};

class TypeScriptModelBuilder {
  private readonly lines: LineIndex;
  private readonly sf: ts.SourceFile;
  private readonly key: string;
  private readonly bindings = new Map<string, Binding>();
  private readonly functions: FunctionClause[] = [];
  private readonly sections = new Map<string, Handler[]>();
  private readonly chains = new Set<string>();
  private readonly suppressions: Suppression[] = [];
  private readonly imports: string[] = [];
  private requestPath: ModuleInfo['requestPath'];
  /** Classes declared in this file (a hand-written lock may be one). */
  private readonly localClasses = new Set<string>();
  /** Sections in this file on a serializer another module defines (`this.mutexService.mutex.runExclusive`). */
  private readonly foreign: { serializer: string; section: Handler }[] = [];
  /** The class whose methods are being read: `this.add()` in it calls `Class.add`. */
  private currentClass: string | undefined;
  /** Calls and assignments already turned into sections (a body is walked again from its enclosing function). */
  private readonly noted = new Set<ts.Node>();

  constructor(private readonly uri: string, private readonly text: string) {
    this.lines = new LineIndex(text);
    this.sf = ts.createSourceFile(uri, text, ts.ScriptTarget.Latest, true, scriptKind(uri));
    this.key = moduleKey(uri);
  }

  build(): FileModel {
    this.scanComments();
    for (const statement of this.sf.statements) this.collectBindings(statement);
    this.collectFunctions(this.sf);
    // `export const orders = new Orders()`: another module calls orders.place(), which is Orders.place.
    for (const [name, b] of this.bindings) {
      if (!b.classOf || name.startsWith('this.')) continue;
      for (const fn of this.functions.filter((f) => f.name.startsWith(`${b.classOf}.`))) this.functions.push({ ...fn, name: `${name}.${fn.name.slice(b.classOf.length + 1)}` });
    }
    const serializers: Serializer[] = [];
    const instantiated = new Set([...this.bindings.values()].map((b) => b.classOf).filter(Boolean));
    for (const [name, binding] of this.bindings) {
      const kind = binding.serializer ?? (this.chains.has(name) ? 'PromiseChain' : undefined);
      if (!kind || !binding.node) continue;
      if (binding.ownerClass && !instantiated.has(binding.ownerClass)) continue; // one per instance
      const range = this.range(binding.node);
      serializers.push({
        language: 'typescript', uri: this.uri, name: `${this.key}#${name}`, kind,
        declaration: range, nameRange: range, moduleRange: this.range(this.sf),
        // A module-level binding or a class field of a module-level instance: one for every caller.
        registration: { kind: 'name', name: `${this.key}#${name}`, text: name, range },
        singleton: true,
        handlers: this.sections.get(name) ?? [],
        functions: this.functions,
        signals: this.signalsOf(kind, this.sections.get(name) ?? []),
        limits: binding.limits,
      });
    }
    const resources: Record<string, string> = {};
    const serializersByBinding: Record<string, string> = {};
    for (const [name, b] of this.bindings) {
      if (name.startsWith('this.')) continue;
      if (b.resource) resources[name] = b.resource;
      if (b.serializer || this.chains.has(name)) serializersByBinding[name] = `${this.key}#${name}`;
    }
    const module: ModuleInfo = {
      name: this.key, uri: this.uri, range: this.range(this.sf), nameRange: this.range(this.sf), isRepo: false,
      requestPath: this.requestPath, imports: this.imports, uses: [], functions: this.functions, children: [], resources, serializersByBinding,
      foreignSections: this.foreign,
    };
    return {
      uri: this.uri, language: 'typescript', role: /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]sx?$/.test(this.uri) ? 'test' : 'app',
      modules: [module], serializers, serverCalls: [], suppressions: this.suppressions, linesInsideStrings: [],
    };
  }

  /**
   * The checklist for a lock (DESIGN.md, TypeScript column): shared state is a read-modify-write across
   * an await inside the section; concurrency is fanning work out from it; a worker owns a resource.
   */
  private signalsOf(kind: SerializerKind, sections: Handler[]): Signal[] {
    const signals: Signal[] = [];
    for (const section of sections) {
      if (section.writes && section.awaits) signals.push({ kind: 'state-changed', range: section.range, why: `${section.name} changes shared state across an await`, code: section.code });
      const fanOut = section.calls.find((c) => /^Promise\.(all|allSettled|any)$/.test(c.callee ?? ''));
      if (fanOut) signals.push({ kind: 'spawns-work', range: fanOut.range, why: `${section.name} runs work in parallel (${fanOut.callee})`, code: fanOut.code });
    }
    if (kind === 'Worker') signals.push({ kind: 'owns-resource', range: sections[0]?.range ?? this.range(this.sf), why: 'owns a thread or a child process', code: '' });
    return signals;
  }

  private range(node: ts.Node): Range {
    return this.lines.range(node.getStart(this.sf), node.getEnd());
  }

  private codeAt(node: ts.Node): string {
    return this.lines.lineText(this.lines.position(node.getStart(this.sf)).line).trim();
  }

  private scanComments(): void {
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, this.sf.languageVariant, this.text);
    for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
      if (token === ts.SyntaxKind.SingleLineCommentTrivia) {
        const start = scanner.getTokenPos();
        const suppression = parseSuppression(scanner.getTokenText(), '//', this.lines.range(start, scanner.getTextPos()));
        if (suppression) this.suppressions.push(suppression);
      }
    }
  }

  /** Imports, and module-level or class-field serializers and pooled clients. */
  private collectBindings(statement: ts.Statement): void {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const source = statement.moduleSpecifier.text.replace(/^node:/, '');
      const resolved = resolveSpecifier(this.uri, source);
      if (resolved) this.imports.push(resolved);
      const clause = statement.importClause;
      if (clause?.name) this.bindings.set(clause.name.text, { source: resolved ?? source, imported: 'default' });
      const named = clause?.namedBindings;
      if (named && ts.isNamedImports(named)) {
        for (const e of named.elements) this.bindings.set(e.name.text, { source: resolved ?? source, imported: (e.propertyName ?? e.name).text });
      } else if (named && ts.isNamespaceImport(named)) {
        this.bindings.set(named.name.text, { source: resolved ?? source, imported: '*' });
      }
      return;
    }
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) this.bindVariable(d.name, d.initializer, d);
      return;
    }
    if (ts.isClassDeclaration(statement)) {
      if (statement.name) this.localClasses.add(statement.name.text);
      // A class field is one per instance: a serializer for every caller only when the class is a
      // singleton (a module-level instance, or a NestJS provider or controller).
      const shared = hasDecorator(statement, 'Injectable') || hasDecorator(statement, 'Controller');
      for (const member of statement.members) {
        if (ts.isPropertyDeclaration(member) && member.name && ts.isIdentifier(member.name)) {
          this.bindVariable(member.name, member.initializer, member, 'this.');
          const b = this.bindings.get(`this.${member.name.text}`);
          if (b && statement.name) b.ownerClass = shared ? undefined : statement.name.text;
        }
      }
      // `constructor(private readonly orders: OrdersService)`: this.orders.create() calls OrdersService.create.
      const ctor = statement.members.find(ts.isConstructorDeclaration);
      for (const p of ctor?.parameters ?? []) {
        if (!ts.isIdentifier(p.name) || !ts.canHaveModifiers(p) || !ts.getModifiers(p)?.length || !p.type || !ts.isTypeReferenceNode(p.type) || !ts.isIdentifier(p.type.typeName)) continue;
        const type = this.bindings.get(p.type.typeName.text);
        this.bindings.set(`this.${p.name.text}`, type?.source ? { source: type.source, imported: type.imported === 'default' ? p.type.typeName.text : type.imported } : { classOf: p.type.typeName.text });
      }
      if (hasDecorator(statement, 'Controller')) this.requestPath = 'controller';
    }
  }

  private bindVariable(name: ts.BindingName, init: ts.Expression | undefined, node: ts.Node, prefix = ''): void {
    if (!init) return;
    // `const { Pool } = require('pg')`, `const pLimit = require('p-limit')`
    const required = requiredModule(init);
    if (required) {
      if (ts.isIdentifier(name)) this.bindings.set(name.text, { source: required, imported: 'default' });
      else if (ts.isObjectBindingPattern(name)) {
        for (const e of name.elements) if (ts.isIdentifier(e.name)) this.bindings.set(e.name.text, { source: required, imported: (e.propertyName && ts.isIdentifier(e.propertyName) ? e.propertyName : e.name).text });
      }
      return;
    }
    if (!ts.isIdentifier(name)) return;
    if (ts.isNewExpression(unwrap(init)) && (unwrap(init) as ts.NewExpression).expression.getText(this.sf) === 'Map') {
      this.bindings.set(prefix + name.text, { map: true, node });
      return;
    }
    const made = this.classify(unwrap(init));
    if (made) this.bindings.set(prefix + name.text, { ...made, node });
    else if (ts.isNewExpression(unwrap(init)) && ts.isIdentifier((unwrap(init) as ts.NewExpression).expression)) {
      this.bindings.set(prefix + name.text, { classOf: ((unwrap(init) as ts.NewExpression).expression as ts.Identifier).text, node });
    }
    // `let chain = Promise.resolve()`: a chain when it is later reassigned as `chain = chain.then(…)`.
    if (/^Promise\.resolve\(\)$/.test(unwrap(init).getText(this.sf))) this.bindings.set(prefix + name.text, { ...(this.bindings.get(prefix + name.text) ?? {}), node });
  }

  /** What an initializer makes: a serializer (with its limits) or a pooled client. */
  private classify(init: ts.Expression): Omit<Binding, 'node'> | undefined {
    const callee = ts.isNewExpression(init) || ts.isCallExpression(init) ? init.expression : undefined;
    if (!callee) return undefined;
    const args = (ts.isNewExpression(init) ? init.arguments : (init as ts.CallExpression).arguments) ?? ts.factory.createNodeArray();
    const origin = this.originOf(callee);
    // A hand-written lock: a class of the workspace named like one (`Mutex`, `AsyncLock`, `DbLock`).
    const className = origin?.source.includes('/') ? (origin.name === 'default' ? callee.getText(this.sf) : origin.name) : !origin && ts.isIdentifier(callee) && this.localClasses.has(callee.text) ? callee.text : undefined;
    if (className && /(Mutex|Lock)$/.test(className) && ts.isNewExpression(init)) return { serializer: 'Mutex', limits: { timeout: false, bound: false } };
    if (className && /Semaphore$/.test(className) && ts.isNewExpression(init) && numberValue(args[0]) === 1) return { serializer: 'Mutex', limits: { timeout: false, bound: false } };
    if (!origin) return undefined;
    const { source, name } = origin;
    const option = (key: string) => objectProperty(args[0], key);
    if (source === 'async-mutex') {
      if (name === 'Mutex') return { serializer: 'Mutex', limits: { timeout: false, bound: false } };
      if (name === 'Semaphore') return numberValue(args[0]) === 1 ? { serializer: 'Mutex', limits: { timeout: false, bound: false } } : undefined;
      if (name === 'withTimeout' && args[0]) {
        const inner = this.classify(unwrap(args[0]));
        return inner?.serializer === 'Mutex' ? { serializer: 'Mutex', limits: { timeout: true, bound: false } } : undefined;
      }
    }
    // semaphore-async-await: `new Lock()`, `new Semaphore(1)` (default export or named)
    if (source === 'semaphore-async-await' && (name === 'Lock' || ((name === 'Semaphore' || name === 'default') && numberValue(args[0]) === 1))) {
      return { serializer: 'Mutex', limits: { timeout: false, bound: false } };
    }
    // A rate limiter (`interval`/`intervalCap`, Bottleneck's `minTime`/`reservoir`) spaces calls to an API
    // that asks for it: one at a time is its purpose, not a bottleneck it adds.
    if ((source === 'p-queue' && option('interval') !== undefined) || (source === 'bottleneck' && (option('minTime') !== undefined || option('reservoir') !== undefined))) return undefined;
    if (source === 'p-queue' && name === 'default' && numberValue(option('concurrency')) === 1) {
      return { serializer: 'Queue', limits: { timeout: option('timeout') !== undefined, bound: false } };
    }
    if (source === 'p-limit' && numberValue(args[0]) === 1) return { serializer: 'Limiter', limits: { timeout: false, bound: false } };
    if (source === 'bottleneck' && numberValue(option('maxConcurrent')) === 1) {
      // `expiration` is a per-job option (schedule's), not a constructor one: only highWater bounds the wait.
      return { serializer: 'Limiter', limits: { timeout: false, bound: option('highWater') !== undefined } };
    }
    if (source === 'async' && (name === 'queue' || name === 'cargo' || name === '*') && (numberValue(args[1]) === 1 || name === 'cargo')) {
      return { serializer: 'Queue', limits: { timeout: false, bound: false }, worker: args[0] };
    }
    if ((source === 'worker_threads' && name === 'Worker') || (source === 'child_process' && name === 'fork')) return { serializer: 'Worker' };
    const pooled = POOLED.get(source);
    if (pooled) return { resource: pooled };
    return undefined;
  }

  /** The package and exported name an expression comes from: `Mutex`, `mysql.createPool`, `async.queue`. */
  private originOf(expr: ts.Expression): { source: string; name: string } | undefined {
    if (ts.isIdentifier(expr)) {
      const b = this.bindings.get(expr.text);
      return b?.source ? { source: b.source, name: b.imported ?? 'default' } : undefined;
    }
    if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
      const b = this.bindings.get(expr.expression.text);
      if (b?.source && (b.imported === '*' || b.imported === 'default')) return { source: b.source, name: expr.name.text };
    }
    return undefined;
  }

  /** The binding an expression names: `lock`, `this.lock`, `Cls.lock`. */
  private bindingName(expr: ts.Expression): string | undefined {
    if (ts.isIdentifier(expr)) return this.bindings.has(expr.text) ? expr.text : undefined;
    if (ts.isPropertyAccessExpression(expr) && expr.expression.kind === ts.SyntaxKind.ThisKeyword) return this.bindings.has(`this.${expr.name.text}`) ? `this.${expr.name.text}` : undefined;
    return undefined;
  }

  /** Maps of the module the code uses as a whole: `map.size`, `map.values()`, `for (… of map)`, `map.clear()`. */
  private wholeMapUses(body: ts.Node): string[] {
    const out = new Set<string>();
    const visit = (n: ts.Node) => {
      if (ts.isIdentifier(n) && this.bindings.get(n.text)?.map) {
        const parent = n.parent;
        const keyed = ts.isPropertyAccessExpression(parent) && parent.expression === n && /^(get|set|has|delete)$/.test(parent.name.text) && ts.isCallExpression(parent.parent);
        if (!keyed) out.add(`${this.key}#${n.text}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
    return [...out];
  }

  /** Functions (declarations, exported arrow functions, class methods, route handlers) with their calls and sections. */
  private collectFunctions(root: ts.Node): void {
    const visitFunction = (name: string, fn: ts.SignatureDeclaration & { body?: ts.ConciseBody }, node: ts.Node) => {
      if (!fn.body) return;
      const params = fn.parameters.length;
      const required = fn.parameters.filter((p) => !p.questionToken && !p.initializer && !p.dotDotDotToken).length;
      this.functions.push({
        name, arity: params, ...(required !== params ? { minArity: required } : {}), visibility: 'public',
        range: this.range(node), headRange: this.range(fn.name ?? node), code: this.codeAt(node),
        calls: this.callsIn(fn.body, name), drainsMailbox: false,
      });
    };
    const visit = (node: ts.Node, className?: string) => {
      if (ts.isFunctionDeclaration(node) && node.name) visitFunction(node.name.text, node, node);
      else if (ts.isClassDeclaration(node) && node.name) {
        this.currentClass = node.name.text;
        for (const m of node.members) {
          if ((ts.isMethodDeclaration(m) || ts.isGetAccessor(m)) && m.name && ts.isIdentifier(m.name)) {
            visitFunction(`${node.name.text}.${m.name.text}`, m, m);
            if (className === undefined && isRouteMethod(m)) this.requestPath ??= 'controller';
          }
        }
        this.currentClass = undefined;
        return;
      } else if (ts.isVariableStatement(node)) {
        for (const d of node.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) {
            visitFunction(d.name.text, d.initializer, d);
            // `export const GET = async (request) => …`: a Next.js route handler.
            if (/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(d.name.text) && hasExport(node)) this.requestPath ??= 'router';
          }
        }
      } else if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression)) {
        // app.get('/x', handler), router.post(...), fastify.get(...): the handlers are request paths.
        const call = node.expression;
        if (ts.isPropertyAccessExpression(call.expression) && /^(get|post|put|patch|delete|all|use|route|options|head)$/.test(call.expression.name.text) && call.arguments.length >= 2) {
          const route = call.arguments[0] && ts.isStringLiteralLike(call.arguments[0]) ? call.arguments[0].getText(this.sf) : '';
          call.arguments.forEach((arg, i) => {
            const name = `${call.expression.getText(this.sf)}(${route || `#${i}`})`;
            if (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) {
              visitFunction(name, arg, arg);
              this.requestPath ??= 'router';
            } else if (i > 0 && ts.isIdentifier(arg)) {
              // `app.get('/x', listOrders)`: the named handler runs on every request.
              const b = this.bindings.get(arg.text);
              this.functions.push({
                name, arity: 0, visibility: 'public', range: this.range(arg), headRange: this.range(arg), code: this.codeAt(arg), drainsMailbox: false,
                calls: [{ uri: this.uri, range: this.range(arg), module: b?.source ?? null, fn: b?.imported && b.imported !== 'default' ? b.imported : arg.text, arity: 2, mentions: [], handedOff: false, code: this.codeAt(arg), awaited: true }],
              });
              this.requestPath ??= 'router';
            }
          });
        }
        this.callsIn(node, '<module>');
      }
      if (ts.isFunctionDeclaration(node) && node.name && /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(node.name.text) && hasExport(node)) this.requestPath ??= 'router';
    };
    ts.forEachChild(root, (n) => visit(n));
  }

  /** The calls in a function body; sections found on the way are recorded against their serializer. */
  private callsIn(body: ts.Node, owner: string): CallSite[] {
    const calls: CallSite[] = [];
    const visit = (node: ts.Node, awaited: boolean): void => {
      if (ts.isAwaitExpression(node)) return void ts.forEachChild(node, (c) => visit(c, true));
      if (ts.isReturnStatement(node) && node.expression) return visit(node.expression, true);
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) this.noteChain(node, owner);
      if (ts.isCallExpression(node)) {
        const site = this.callSite(node, awaited);
        if (site) calls.push(site);
        this.noteSection(node, owner);
      }
      ts.forEachChild(node, (c) => visit(c, false));
    };
    visit(body, false);
    return calls;
  }

  private callSite(call: ts.CallExpression, awaited: boolean): CallSite | undefined {
    const callee = call.expression;
    let module: string | null = null;
    let fn: string;
    let resource: string | undefined;
    const extra: Partial<CallSite> = {};
    if (ts.isIdentifier(callee)) {
      fn = callee.text;
      const b = this.bindings.get(callee.text);
      if (b?.serializer === 'Limiter') extra.acquires = `${this.key}#${callee.text}`;
      if (b?.source) module = b.source;
      if (b?.source && b.imported && b.imported !== 'default') fn = b.imported;
      if (callee.text === 'fetch') resource = 'http';
    } else if (ts.isPropertyAccessExpression(callee)) {
      fn = callee.name.text;
      const root = rootOf(callee.expression);
      const name = root && this.bindingName(root);
      const b = name ? this.bindings.get(name) : undefined;
      const own = name && (b?.serializer || this.chains.has(name)) ? `${this.key}#${name}` : undefined;
      if (own && b?.serializer && ([...(SECTION_METHODS[b.serializer] ?? []), 'acquire', 'lock'].includes(fn))) extra.acquires = own;
      if (own && b?.serializer === 'Worker' && /^(postMessage|send)$/.test(fn)) extra.posts = own;
      if (b?.map && root === callee.expression) {
        // One entry, by a key the caller passed in (a parameter); anything else (keys(), a loop variable) is the whole map.
        const key = call.arguments[0];
        const byParameter = /^(get|set|has|delete)$/.test(fn) && key && ts.isIdentifier(key) && isParameter(key);
        extra.mapAccess = { map: `${this.key}#${name}`, key: byParameter ? (key as ts.Identifier).text : null, op: fn };
      }
      if (!own && /^(runExclusive|acquire|lock|add|addAll|push|schedule|wrap|submit)$/.test(fn)) {
        const foreign = this.foreignSerializer(callee);
        if (foreign) extra.acquires = foreign;
      }
      if (b?.resource) resource = b.resource;
      else if (b?.source && POOLED.has(b.source)) resource = POOLED.get(b.source);
      else if (b?.source && b.imported !== '*' && b.imported !== 'default') { module = b.source; fn = `${b.imported}.${fn}`; }
      else if (b?.source) module = b.source;
      else if (b?.classOf) fn = `${b.classOf}.${fn}`;
      else if (callee.expression.kind === ts.SyntaxKind.ThisKeyword) fn = this.currentClass ? `${this.currentClass}.${fn}` : `this.${fn}`;
    } else {
      return undefined;
    }
    // A pooled client handed to a callback (`run(prisma)`): the call uses it.
    if (!resource) {
      for (const arg of call.arguments) {
        const b = ts.isIdentifier(arg) ? this.bindings.get(arg.text) : undefined;
        if (b?.resource) resource = b.resource;
      }
    }
    return {
      uri: this.uri, range: this.range(call), module, fn, arity: call.arguments.length, mentions: [], handedOff: false,
      code: this.codeAt(call), awaited, ...(resource ? { resource } : {}), ...extra, callee: callee.getText(this.sf),
    };
  }

  /** `lock.runExclusive(fn)`, `queue.add(fn)`, `limit(fn)`, `await lock.acquire()` … `release()`. */
  private noteSection(call: ts.CallExpression, owner: string): void {
    if (this.noted.has(call)) return;
    this.noted.add(call);
    const callee = call.expression;
    let name: string | undefined;
    let fn: ts.Node | undefined;
    if (ts.isPropertyAccessExpression(callee)) {
      name = this.bindingName(callee.expression);
      const kind = name ? this.bindings.get(name)?.serializer : undefined;
      const method = callee.name.text;
      if (kind && (SECTION_METHODS[kind] ?? []).includes(method)) fn = sectionArgument(call);
      else if (kind === 'Mutex' && (method === 'acquire' || method === 'lock')) fn = acquiredBlock(call);
      if (kind === 'Queue' && fn && !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) fn = this.bindings.get(name!)?.worker;
    } else if (ts.isIdentifier(callee)) {
      name = this.bindingName(callee);
      if (name && this.bindings.get(name)?.serializer === 'Limiter') fn = sectionArgument(call);
    }
    const foreign = name ? undefined : this.foreignSerializer(callee);
    if (foreign && ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      if (['runExclusive', 'add', 'addAll', 'push', 'schedule', 'wrap', 'submit'].includes(method)) fn = sectionArgument(call);
      else if (method === 'acquire' || method === 'lock') fn = acquiredBlock(call);
    }
    if ((!name && !foreign) || !fn) return;
    // The code itself (a function literal, or the statements after `acquire()`), not a function passed by name.
    const literal = !ts.isIdentifier(fn) && !ts.isPropertyAccessExpression(fn) && !ts.isCallExpression(fn);
    const body: ts.Node = ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) ? fn.body : fn;
    // A function passed by name (`lock.runExclusive(work)`): what it does is not known here.
    const sectionCalls = literal ? this.callsIn(body, owner) : [];
    const hasAwait = literal ? containsAwait(body) : undefined;
    const handler: Handler = {
      name: owner, arity: 0, visibility: 'private', range: this.range(fn), headRange: this.range(call), code: this.codeAt(call),
      calls: sectionCalls, drainsMailbox: false, kind: 'section', message: '', stateParam: null, stateUse: hasAwait === false ? 'ignored' : 'read',
      stateAccess: 'none', servesCallers: true, awaits: hasAwait, writes: literal ? containsWrite(body) : undefined, singleFlight: literal && isSingleFlight(body),
      mapsWhole: literal ? this.wholeMapUses(body) : [],
    };
    if (name) this.sections.set(name, [...(this.sections.get(name) ?? []), handler]);
    else this.foreign.push({ serializer: foreign!, section: handler });
  }

  /**
   * A serializer another module of the workspace defines, as this file reaches it: an imported lock
   * (`lock`), a field of an injected service (`this.mutexService.mutex`) or of an imported instance.
   */
  private foreignSerializer(callee: ts.Expression): string | undefined {
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const receiver = callee.expression;
    if (ts.isIdentifier(receiver)) {
      const b = this.bindings.get(receiver.text);
      return b?.source?.includes('/') && b.imported && b.imported !== '*' ? `${b.source}#${b.imported === 'default' ? receiver.text : b.imported}` : undefined;
    }
    if (ts.isPropertyAccessExpression(receiver)) {
      const owner = this.bindingName(receiver.expression);
      const b = owner ? this.bindings.get(owner) : undefined;
      return b?.source?.includes('/') ? `${b.source}#this.${receiver.name.text}` : undefined;
    }
    return undefined;
  }

  /** `this.tail = this.tail.then(…)` or `chain = chain.then(…)`: a promise chain every call waits in. */
  private noteChain(assign: ts.BinaryExpression, owner: string): void {
    if (this.noted.has(assign)) return;
    this.noted.add(assign);
    const target = assign.left.getText(this.sf);
    const right = assign.right;
    if (!ts.isCallExpression(right) || !ts.isPropertyAccessExpression(right.expression) || right.expression.name.text !== 'then') return;
    if (rootText(right.expression.expression, this.sf) !== target) return;
    // Only a chain every caller shares: a module-level variable or a field of a singleton (not a local).
    if (!this.bindings.has(target)) return;
    this.chains.add(target);
    const fn = right.arguments[0];
    if (!fn) return;
    // The link's work: a function written here, or one passed by name (its calls are not followed).
    const body = ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) ? fn.body : undefined;
    this.sections.set(target, [...(this.sections.get(target) ?? []), {
      name: owner, arity: 0, visibility: 'private', range: this.range(fn), headRange: this.range(right), code: this.codeAt(right),
      calls: body ? this.callsIn(body, owner) : [], drainsMailbox: false, kind: 'section', message: '', stateParam: null,
      stateUse: 'read', stateAccess: 'none', servesCallers: true, awaits: body ? containsAwait(body) : true,
      // A chain without a .catch: one rejection rejects every later link.
      poisonable: !/\.catch\(/.test(assign.getText(this.sf)),
    }]);
  }
}

function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function requiredModule(init: ts.Expression): string | undefined {
  const e = unwrap(init);
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments[0] && ts.isStringLiteral(e.arguments[0])) return e.arguments[0].text;
  return undefined;
}

function objectProperty(arg: ts.Expression | undefined, key: string): ts.Expression | undefined {
  if (!arg || !ts.isObjectLiteralExpression(arg)) return undefined;
  for (const p of arg.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText() === key) return p.initializer;
  }
  return undefined;
}

function numberValue(expr: ts.Expression | undefined): number | undefined {
  return expr && ts.isNumericLiteral(expr) ? Number(expr.text) : undefined;
}

function rootOf(expr: ts.Expression): ts.Expression | undefined {
  let e = expr;
  while (ts.isPropertyAccessExpression(e) && e.expression.kind !== ts.SyntaxKind.ThisKeyword) e = e.expression;
  return e;
}

function rootText(expr: ts.Expression, sf: ts.SourceFile): string {
  return expr.getText(sf);
}

function containsAwait(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node) => {
    if (found) return;
    if (ts.isAwaitExpression(n) || ts.isForOfStatement(n) && n.awaitModifier) { found = true; return; }
    // `return pool.query(…)`: the section hands back a promise, so the lock is held until it settles.
    if (ts.isReturnStatement(n) && n.expression && ts.isCallExpression(n.expression)) { found = true; return; }
    if ((ts.isFunctionLike(n) && n !== node)) return; // a nested function's awaits are its own
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  // An expression body that returns a promise-making call (`() => pool.query(…)`) waits too.
  if (!found && !ts.isBlock(node) && ts.isCallExpression(node)) found = true;
  return found;
}

/** `const release = await lock.acquire(); try { … } finally { release() }`: the statements the lock covers. */
function acquiredBlock(call: ts.CallExpression): ts.Node | undefined {
  let statement: ts.Node = call;
  while (statement.parent && !ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent)) statement = statement.parent;
  const block = statement.parent;
  if (!block || !ts.isBlock(block)) return undefined;
  const index = block.statements.indexOf(statement as ts.Statement);
  const next = block.statements[index + 1];
  if (next && ts.isTryStatement(next)) return next.tryBlock;
  return next;
}

function hasDecorator(node: ts.Node, name: string): boolean {
  const decorators = ts.canHaveDecorators(node) ? ts.getDecorators(node) ?? [] : [];
  return decorators.some((d) => ts.isCallExpression(d.expression) && ts.isIdentifier(d.expression.expression) && d.expression.expression.text === name);
}

function isRouteMethod(m: ts.ClassElement): boolean {
  return ['Get', 'Post', 'Put', 'Patch', 'Delete', 'All'].some((d) => hasDecorator(m, d));
}

function hasExport(node: ts.Node): boolean {
  return !!(ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword));
}

const MUTATING = /^(set|delete|push|pop|shift|unshift|splice|clear|add|sort|reverse|fill|assign|save|insert\w*|update\w*|upsert\w*|create\w*|remove\w*|destroy|hset|hdel|incr\w*|decr\w*|lpush|rpush|sadd|srem|zadd)$/;

/** The code changes something outside its own locals: a field or element assignment, `++`, `delete`, a mutating call. */
function containsWrite(node: ts.Node): boolean {
  let found = false;
  const locals = new Set<string>();
  const visit = (n: ts.Node) => {
    if (found) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) locals.add(n.name.text);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const left = n.left;
      if (!ts.isIdentifier(left) || !locals.has(left.text)) found = true;
    }
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      if (!ts.isIdentifier(n.operand) || !locals.has(n.operand.text)) found = true;
    }
    if (ts.isDeleteExpression(n)) found = true;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && MUTATING.test(n.expression.name.text)) found = true;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/**
 * `if (cached) return cached; … fetch … cached = …`: the section fills a shared value once for every
 * caller waiting on it (a single-flight refresh); later callers return at the first line.
 */
function isSingleFlight(body: ts.Node): boolean {
  if (!ts.isBlock(body)) return false;
  const [first] = body.statements;
  const returnsEarly = !!first && ts.isIfStatement(first) && (ts.isReturnStatement(first.thenStatement) || (ts.isBlock(first.thenStatement) && first.thenStatement.statements.some(ts.isReturnStatement)));
  return returnsEarly && containsWrite(body);
}

/** The identifier names a parameter of a function around it. */
function isParameter(id: ts.Identifier): boolean {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n) && n.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === id.text)) return true;
  }
  return false;
}

/** The function a section method is given: its first function argument (`schedule(options, fn)`), else its first argument. */
function sectionArgument(call: ts.CallExpression): ts.Node | undefined {
  return call.arguments.find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a)) ?? call.arguments[0];
}
