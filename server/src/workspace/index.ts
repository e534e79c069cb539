// What the workspace knows across files. The index keeps every file's model (never trees); a ProjectView
// is a read-only snapshot of them that answers the rules' cross-file questions (ProjectContext). A new
// view is made after every change; its tables (callers, request paths) are built on first use.
import { createHash } from 'crypto';
import { clausesReachedFromModules } from '../callgraph';
import type {
  Caller, ChildSpec, FileModel, FunctionClause, ModuleInfo, ProjectContext, Serializer, SingletonInfo, Supervision,
} from '../model';
import { addressableNames, clientFunctions } from '../serializers';

export class WorkspaceIndex {
  private readonly models = new Map<string, FileModel>();
  private readonly signatures = new Map<string, string>();
  private view: ProjectView | undefined;

  /**
   * Records a file's model. Returns true when that can change findings in other files (what the file
   * defines or calls changed), false when only its positions moved or nothing did.
   */
  update(model: FileModel): boolean {
    const signature = crossFileSignature(model);
    const changed = this.signatures.get(model.uri) !== signature;
    this.models.set(model.uri, model);
    this.signatures.set(model.uri, signature);
    this.view = undefined;
    return changed;
  }

  remove(uri: string): boolean {
    if (!this.models.has(uri)) return false;
    this.models.delete(uri);
    this.signatures.delete(uri);
    this.view = undefined;
    return true;
  }

  get size(): number {
    return this.models.size;
  }

  context(): ProjectView {
    this.view ??= new ProjectView([...this.models.values()]);
    return this.view;
  }

  /** A serializer by module name or registered name (`:cache`, `{:global, X}`). */
  serializer(name: string): Serializer | undefined {
    return this.context().serializerNamed(name);
  }

  model(uri: string): FileModel | undefined {
    return this.models.get(uri);
  }

  uris(): string[] {
    return [...this.models.keys()];
  }
}

/**
 * What other files can see of a file, without positions: modules, servers and their names, children,
 * and every function with the calls it makes. A change to it can change findings elsewhere.
 */
function crossFileSignature(model: FileModel): string {
  const parts: string[] = [model.role];
  for (const m of model.modules) parts.push(memo(moduleSignatures, m, moduleSignature));
  for (const s of model.serializers) parts.push(memo(serializerSignatures, s, serializerSignature));
  return parts.join(' ');
}

// An open document's unchanged modules keep their objects from one edit to the next (the front end's
// module cache): their signatures are remembered, so a keystroke costs the signature of one module.
// What is kept is a digest: the index holds every file of the workspace, and the text would be as long
// as the list of all their calls.
const moduleSignatures = new WeakMap<ModuleInfo, string>();
const serializerSignatures = new WeakMap<Serializer, string>();

function memo<K extends object>(table: WeakMap<K, string>, key: K, compute: (key: K) => string): string {
  let value = table.get(key);
  if (value === undefined) table.set(key, (value = createHash('sha1').update(compute(key)).digest('base64')));
  return value;
}

function moduleSignature(m: ModuleInfo): string {
  const parts = [`M ${m.name} ${m.isRepo} ${m.requestPath ?? ''} ${m.supervisor ?? ''} ${m.imports.join(',')}`];
  for (const c of m.children) parts.push(`C ${c.module} ${c.dynamic} ${c.registration?.kind ?? ''}:${c.registration?.name ?? ''}`);
  for (const f of m.functions) {
    parts.push(`F ${f.name}/${f.arity} ${f.visibility} ${f.drainsMailbox}`);
    for (const c of f.calls) parts.push(`${c.module ?? ''}.${c.fn}/${c.arity} ${c.handedOff} ${c.slow ?? ''} ${c.serverCall ? `${c.serverCall.op}>${c.serverCall.target}:${c.serverCall.tag ?? ''}` : ''}`);
  }
  return parts.join('\n');
}

function serializerSignature(s: Serializer): string {
  const parts = [`S ${s.name} ${s.kind} ${s.registration.kind}:${s.registration.name ?? ''} ${s.signals.map((x) => x.kind).join(',')}`];
  for (const h of s.handlers) parts.push(`H ${h.kind} ${h.tag ?? ''} ${h.stateUse} ${h.stateAccess} ${h.servesCallers}`);
  return parts.join('\n');
}

export class ProjectView implements ProjectContext {
  readonly repoModules: ReadonlySet<string>;
  readonly knownModules: ReadonlySet<string>;
  private readonly modules = new Map<string, ModuleInfo>();
  private readonly roles = new Map<string, FileModel['role']>();
  private readonly servers: Serializer[] = [];
  private readonly byName = new Map<string, Serializer>();
  private readonly children: ChildSpec[] = [];
  private callerTable: Map<Serializer, Caller[]> | undefined;
  private requestPathClauses: Set<FunctionClause> | undefined;
  private readonly clientOpsMemo = new Map<Serializer, Map<string, Caller['op']>>();

  constructor(readonly files: FileModel[]) {
    for (const file of files) {
      for (const m of file.modules) {
        if (!this.modules.has(m.name)) this.modules.set(m.name, m);
        this.children.push(...m.children);
      }
      for (const s of file.serializers) {
        this.servers.push(s);
        this.roles.set(s.name, file.role);
      }
    }
    const all = [...this.modules.values()];
    this.repoModules = new Set(all.filter((m) => m.isRepo).map((m) => m.name));
    this.knownModules = new Set(all.map((m) => m.name));
    // Names: module names first, then registered names, then names child specs give. A name two servers
    // register (a real client and its mock, picked by config) is ambiguous: calls to it stay unresolved.
    for (const s of this.servers) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    const registered = new Map<string, Set<Serializer>>();
    const register = (n: string, s: Serializer) => registered.set(n, (registered.get(n) ?? new Set()).add(s));
    for (const s of this.servers) for (const n of addressableNames(s)) register(n, s);
    for (const c of this.children) {
      const s = this.byName.get(c.module);
      const r = c.registration;
      if (s && r?.name && (r.kind === 'name' || r.kind === 'global')) register(r.kind === 'global' ? `{:global, ${r.name}}` : r.name, s);
    }
    for (const [n, servers] of registered) {
      if (servers.size > 1) this.byName.delete(n);
      else if (!this.byName.has(n) || this.byName.get(n) === [...servers][0]) this.byName.set(n, [...servers][0]);
    }
  }

  module(name: string): ModuleInfo | undefined {
    return this.modules.get(name);
  }

  allModules(): ModuleInfo[] {
    return [...this.modules.values()];
  }

  serializerNamed(target: string): Serializer | undefined {
    return this.byName.get(target);
  }

  allSerializers(): readonly Serializer[] {
    return this.servers;
  }

  supervision(server: Serializer): Supervision {
    const mine = this.children.filter((c) => c.module === server.name);
    return { static: mine.filter((c) => !c.dynamic), dynamic: mine.filter((c) => c.dynamic) };
  }

  singleton(server: Serializer): SingletonInfo | undefined {
    const r = server.registration;
    if ((r.kind === 'name' || r.kind === 'global') && r.range) {
      return { how: `registered under one name (${r.text === '' ? r.name : `name: ${r.text}`})`, evidence: { uri: server.uri, range: r.range, why: 'the one name every caller uses', code: '' } };
    }
    if (r.kind === 'via') return undefined;
    const { static: listed, dynamic } = this.supervision(server);
    for (const child of listed) {
      const given = child.registration;
      if (given && (given.kind === 'name' || given.kind === 'global')) {
        return { how: `named ${given.text} in ${child.supervisor}'s children`, evidence: { uri: child.uri, range: child.range, why: `${child.supervisor} starts it under one name`, code: child.code } };
      }
    }
    // Listed once by the application and never started per entity: one process.
    if (listed.length === 1 && dynamic.length === 0 && (r.kind === 'none' || r.kind === 'dynamic')) {
      const child = listed[0];
      const parent = this.modules.get(child.supervisor);
      // Only the application's own list: a nested supervisor may itself be started once per endpoint or tenant.
      if (parent?.supervisor === 'application' && !(child.registration && child.registration.kind === 'via')) {
        return { how: `started once, as a child of ${child.supervisor}`, evidence: { uri: child.uri, range: child.range, why: `${child.supervisor} starts one of it`, code: child.code } };
      }
    }
    return undefined;
  }

  onRequestPath(clause: FunctionClause): boolean {
    if (!this.requestPathClauses) {
      const entries = this.files.filter((f) => f.role === 'app').flatMap((f) => f.modules.filter((m) => m.requestPath));
      this.requestPathClauses = clausesReachedFromModules(entries, this);
    }
    return this.requestPathClauses.has(clause);
  }

  callers(server: Serializer): Caller[] {
    this.callerTable ??= this.buildCallers();
    return this.callerTable.get(server) ?? [];
  }

  /** Whether each client function of a server reads or changes its state (`get/1` → read), by name/arity. */
  clientOps(server: Serializer): Map<string, Caller['op']> {
    let ops = this.clientOpsMemo.get(server);
    if (ops) return ops;
    ops = new Map();
    for (const { fn, calls } of clientFunctions(server)) {
      const kinds = new Set(calls.map((c) => this.opOf(server, c)));
      const op = kinds.size === 1 ? [...kinds][0] : kinds.has('write') ? 'write' : 'other';
      for (let arity = fn.minArity ?? fn.arity; arity <= fn.arity; arity++) {
        const key = `${fn.name}/${arity}`;
        const previous = ops.get(key);
        ops.set(key, previous && previous !== op ? 'other' : op);
      }
    }
    this.clientOpsMemo.set(server, ops);
    return ops;
  }

  /** Read or write, from the Agent function or from the handler the message's tag reaches. */
  private opOf(server: Serializer, call: { serverCall?: { op: string; tag?: string } }): Caller['op'] {
    const sc = call.serverCall!;
    if (server.kind === 'Agent') return sc.op === 'get' ? 'read' : sc.op === 'stop' ? 'other' : 'write';
    if (!sc.tag) return 'other';
    const kind = sc.op === 'call' || sc.op === 'multi_call' ? 'handle_call' : sc.op === 'cast' || sc.op === 'abcast' ? 'handle_cast' : 'handle_info';
    const handlers = server.handlers.filter((h) => h.kind === kind && h.tag === sc.tag);
    if (handlers.length === 0) return 'other';
    if (handlers.some((h) => h.stateUse === 'changed')) return 'write';
    return handlers.every((h) => h.stateUse === 'read') ? 'read' : 'other';
  }

  private buildCallers(): Map<Serializer, Caller[]> {
    const table = new Map<Serializer, Caller[]>();
    const byModule = new Map(this.servers.map((s) => [s.name, s] as const));
    for (const file of this.files) {
      for (const module of file.modules) {
        for (const clause of module.functions) {
          for (const site of clause.calls) {
            let server: Serializer | undefined;
            let via = '';
            let op: Caller['op'] = 'other';
            if (site.serverCall) {
              server = this.byName.get(site.serverCall.target);
              if (server) {
                via = site.module === 'Kernel' ? 'send' : `${site.module}.${site.fn}`;
                op = this.opOf(server, site);
              }
            } else if (site.module && site.module !== module.name) {
              const candidate = byModule.get(site.module);
              const clientOp = candidate ? this.clientOps(candidate).get(`${site.fn}/${site.arity}`) : undefined;
              if (candidate && clientOp) {
                server = candidate;
                via = `${site.module}.${site.fn}/${site.arity}`;
                op = clientOp;
              }
            }
            if (!server || server.name === module.name) continue;
            const list = table.get(server) ?? [];
            list.push({ site, module: module.name, clause, via, op, requestPath: file.role === 'app' && this.onRequestPath(clause), role: file.role });
            table.set(server, list);
          }
        }
      }
    }
    return table;
  }
}
