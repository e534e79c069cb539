// Rule tables for the TypeScript/Node rules: each case is a small project (`src/…` files), `// expect:
// <rule>` marks the lines that must carry the rule's finding. The valid cases include every shape the
// rules must leave alone: bounded parallelism, single-flight refreshes, per-key locks, per-connection
// queues, distributed locks, transactions, worker pools, lock-free caches and token buckets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ts } from 'ts-morph';
import { runTable, SNIPPETS } from './rule-table';

const mutex = "import { Mutex } from 'async-mutex';\n";
const pg = "import { Pool } from 'pg';\nconst pool = new Pool();\n";

runTable('pool-behind-lock', {
  invalid: [
    { name: 'pg query inside runExclusive', files: { 'src/a.ts': `${mutex}${pg}const lock = new Mutex();
export const save = (id: string) => lock.runExclusive(async () => {
  await pool.query('update users set seen = now() where id = $1', [id]); // expect: pool-behind-lock
});
` } },
    { name: 'a client imported from another module, in a p-queue job', files: {
      'src/db.ts': "import Redis from 'ioredis';\nexport const redis = new Redis();\n",
      'src/a.ts': `import PQueue from 'p-queue';
import { redis } from './db.js';
const queue = new PQueue({ concurrency: 1 });
export const cached = (key: string) => queue.add(async () => redis.get(key)); // expect: pool-behind-lock
` } },
    { name: 'prisma behind p-limit(1), reached through a helper', files: { 'src/a.ts': `import pLimit from 'p-limit';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const one = pLimit(1);
async function load(id: string) { return prisma.user.findUnique({ where: { id } }); } // expect: pool-behind-lock
export const user = (id: string) => one(() => load(id));
` } },
    { name: 'acquire/release around a knex call', files: { 'src/a.ts': `${mutex}import knex from 'knex';
const db = knex({ client: 'pg' });
const lock = new Mutex();
export async function names() {
  const release = await lock.acquire();
  try {
    return await db.select('name').from('users'); // expect: pool-behind-lock
  } finally {
    release();
  }
}
` } },
    { name: 'a lock of an injected service, taken in another module', files: {
      'src/locks.service.ts': `${mutex}import { Injectable } from '@nestjs/common';
@Injectable()
export class LocksService {
  readonly orders = new Mutex();
}
`,
      'src/orders.service.ts': `import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { LocksService } from './locks.service.js';
const pool = new Pool();
@Injectable()
export class OrdersService {
  constructor(private readonly locks: LocksService) {}
  create(total: number) {
    return this.locks.orders.runExclusive(async () => {
      await pool.query('insert into orders (total) values ($1)', [total]); // expect: pool-behind-lock
    });
  }
}
` } },
    { name: 'a hand-written lock class (a busy flag and a queue of waiters) around a pg call', files: {
      'src/lib/db-lock.ts': `export class DbLock {
  private busy = false;
  private readonly waiters: Array<() => void> = [];
  async acquire(): Promise<void> {
    if (!this.busy) { this.busy = true; return; }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next(); else this.busy = false;
  }
}
`,
      'src/users.ts': `${pg}import { DbLock } from './lib/db-lock.js';
const lock = new DbLock();
export async function rename(id: string, name: string) {
  await lock.acquire();
  try {
    await pool.query('update users set name = $2 where id = $1', [id, name]); // expect: pool-behind-lock
  } finally {
    lock.release();
  }
}
` } },
  ],
  valid: [
    { name: 'bounded parallelism: Semaphore(10), p-limit(8)', files: { 'src/a.ts': `import { Semaphore } from 'async-mutex';
import pLimit from 'p-limit';
${pg}const ten = new Semaphore(10);
const eight = pLimit(8);
export const a = (id: string) => ten.runExclusive(() => pool.query('select 1 where $1', [id]));
export const b = (id: string) => eight(() => pool.query('select 1 where $1', [id]));
` } },
    { name: 'a single-flight token refresh over HTTP', files: { 'src/a.ts': `${mutex}const lock = new Mutex();
let token: string | undefined;
export const get = () => lock.runExclusive(async () => {
  if (token) return token;
  token = await (await fetch('https://auth.example.com/token')).text();
  return token;
});
` } },
    { name: 'a lock per connection object (a class without a module-level instance)', files: { 'src/a.ts': `${mutex}${pg}export class Conn {
  private readonly lock = new Mutex();
  run(sql: string) { return this.lock.runExclusive(() => pool.query(sql)); }
}
` } },
    { name: 'a rate-limited queue around an API that asks for it', files: { 'src/a.ts': `import PQueue from 'p-queue';
import axios from 'axios';
const queue = new PQueue({ concurrency: 1, interval: 3_000, intervalCap: 1 });
export const price = (id: string) => queue.add(async () => (await axios.get(\`https://api.example.com/coins/\${id}\`)).data);
` } },
    { name: 'a database transaction, no in-process lock', files: { 'src/a.ts': `${pg}export async function move(id: string) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select * from stock where id = $1 for update', [id]);
    await client.query('commit');
  } finally {
    client.release();
  }
}
` } },
  ],
});

runTable('lock-without-await', {
  invalid: [
    { name: 'a counter bumped under a mutex', files: { 'src/a.ts': `${mutex}const lock = new Mutex();
let n = 0;
export const next = () => lock.runExclusive(() => { // expect: lock-without-await
  n += 1;
  return n;
});
` } },
    { name: 'a synchronous expression under p-limit(1)', files: { 'src/a.ts': `import pLimit from 'p-limit';
const one = pLimit(1);
const cache = new Map<string, number>();
export const size = () => one(() => cache.size); // expect: lock-without-await
` } },
  ],
  valid: [
    { name: 'awaits inside', files: { 'src/a.ts': `${mutex}const lock = new Mutex();
export const run = (job: () => Promise<void>) => lock.runExclusive(async () => { await job(); });
` } },
    { name: 'returns a promise-making call', files: { 'src/a.ts': `${mutex}${pg}const lock = new Mutex();
export const run = () => lock.runExclusive(() => pool.query('select 1'));
` } },
  ],
});

runTable('nested-acquire', {
  invalid: [
    { name: 'a method that takes the lock calls another that takes it again', files: { 'src/a.ts': `${mutex}class Wallet {
  private readonly lock = new Mutex();
  private cents = 0;
  add(n: number) { return this.lock.runExclusive(async () => { this.cents += n; await Promise.resolve(); }); }
  double() {
    return this.lock.runExclusive(async () => {
      await this.add(this.cents); // expect: nested-acquire
    });
  }
}
export const wallet = new Wallet();
` } },
  ],
  valid: [
    { name: 'two different locks', files: { 'src/a.ts': `${mutex}const a = new Mutex();
const b = new Mutex();
const inner = () => b.runExclusive(async () => { await Promise.resolve(); });
export const outer = () => a.runExclusive(async () => { await inner(); });
` } },
  ],
});

runTable('global-lock-keyed-state', {
  invalid: [
    { name: 'one mutex around a Map of carts, each section one cart', files: { 'src/a.ts': `${mutex}const carts = new Map<string, string[]>();
const lock = new Mutex(); // expect: global-lock-keyed-state
export const add = (cartId: string, sku: string) => lock.runExclusive(async () => {
  const items = carts.get(cartId) ?? [];
  await Promise.resolve();
  carts.set(cartId, [...items, sku]);
});
` } },
  ],
  valid: [
    { name: 'a section that walks every key', files: { 'src/a.ts': `${mutex}const carts = new Map<string, string[]>();
const lock = new Mutex();
export const add = (cartId: string, sku: string) => lock.runExclusive(async () => {
  carts.set(cartId, [...(carts.get(cartId) ?? []), sku]);
  await Promise.resolve();
});
export const clearAll = () => lock.runExclusive(async () => {
  for (const id of carts.keys()) carts.delete(id);
  await Promise.resolve();
});
` } },
    { name: 'a lock per key', files: { 'src/a.ts': `${mutex}const locks = new Map<string, Mutex>();
const carts = new Map<string, string[]>();
export const add = (cartId: string, sku: string) => {
  const lock = locks.get(cartId) ?? new Mutex();
  locks.set(cartId, lock);
  return lock.runExclusive(async () => { carts.set(cartId, [...(carts.get(cartId) ?? []), sku]); await Promise.resolve(); });
};
` } },
  ],
});

runTable('lock-for-reads', {
  invalid: [
    { name: 'two read sections and one write under one mutex', files: { 'src/a.ts': `${mutex}const lock = new Mutex(); // expect: lock-for-reads
let rates: Record<string, number> = {};
export const rate = (c: string) => lock.runExclusive(async () => { await Promise.resolve(); return rates[c]; });
export const all = () => lock.runExclusive(async () => { await Promise.resolve(); return { ...rates }; });
export const load = (next: Record<string, number>) => lock.runExclusive(async () => { await Promise.resolve(); rates = next; });
` } },
  ],
  valid: [
    { name: 'every section writes', files: { 'src/a.ts': `${mutex}const lock = new Mutex();
let n = 0;
export const inc = () => lock.runExclusive(async () => { await Promise.resolve(); n += 1; });
export const dec = () => lock.runExclusive(async () => { await Promise.resolve(); n -= 1; });
` } },
  ],
});

runTable('in-process-lock', {
  invalid: [
    { name: 'select then update a row under a mutex', files: { 'src/a.ts': `${mutex}${pg}const lock = new Mutex();
export const take = (id: string) => lock.runExclusive(async () => { // expect: in-process-lock
  const { rows } = await pool.query('select n from counters where id = $1', [id]);
  await pool.query('update counters set n = $2 where id = $1', [id, rows[0].n + 1]);
});
` } },
    { name: 'get then set a Redis key', files: { 'src/a.ts': `${mutex}import Redis from 'ioredis';
const redis = new Redis();
const lock = new Mutex();
export const bump = (key: string) => lock.runExclusive(async () => { // expect: in-process-lock
  const n = Number(await redis.get(key));
  await redis.set(key, String(n + 1));
});
` } },
  ],
  valid: [
    { name: 'an atomic update, no lock', files: { 'src/a.ts': `${pg}export const bump = (id: string) => pool.query('update counters set n = n + 1 where id = $1', [id]);
` } },
    { name: 'a distributed lock with SET NX PX', files: { 'src/a.ts': `import Redis from 'ioredis';
const redis = new Redis();
export async function once(key: string, work: () => Promise<void>) {
  if ((await redis.set(\`lock:\${key}\`, '1', 'PX', 5000, 'NX')) !== 'OK') return;
  try { await work(); } finally { await redis.del(\`lock:\${key}\`); }
}
` } },
  ],
});

runTable('unbounded-serializer', {
  invalid: [
    { name: 'a promise chain without catch', files: { 'src/a.ts': `let chain: Promise<void> = Promise.resolve();
export function enqueue(job: () => Promise<void>) {
  chain = chain.then(job); // expect: unbounded-serializer
  return chain;
}
` } },
    { name: 'a mutex fed by a request handler, no timeout', files: { 'src/a.ts': `${mutex}import express from 'express';
const lock = new Mutex(); // expect: unbounded-serializer
const app = express();
app.post('/jobs', async (_req, res) => { res.json(await lock.runExclusive(async () => { await Promise.resolve(); return 1; })); });
` } },
  ],
  valid: [
    { name: 'a chain that catches', files: { 'src/a.ts': `let chain: Promise<void> = Promise.resolve();
export function enqueue(job: () => Promise<void>) {
  chain = chain.then(job).catch(() => undefined);
  return chain;
}
` } },
    { name: 'a mutex with a timeout on the request path', files: { 'src/a.ts': `import { Mutex, withTimeout } from 'async-mutex';
import express from 'express';
const lock = withTimeout(new Mutex(), 2_000);
const app = express();
app.post('/jobs', async (_req, res) => { res.json(await lock.runExclusive(async () => { await Promise.resolve(); return 1; })); });
` } },
  ],
});

runTable('single-worker', {
  invalid: [
    { name: 'one worker thread every request posts to', files: { 'src/a.ts': `import { Worker } from 'node:worker_threads';
import express from 'express';
const worker = new Worker('./hash.js'); // expect: single-worker
const app = express();
app.post('/hash', (req, res) => { worker.once('message', (h) => res.send(h)); worker.postMessage(req.body); });
` } },
  ],
  valid: [
    { name: 'a worker per job', files: { 'src/a.ts': `import { Worker } from 'node:worker_threads';
export function hash(data: string) {
  const worker = new Worker('./hash.js');
  worker.postMessage(data);
  return worker;
}
` } },
    { name: 'a pool of workers (piscina)', files: { 'src/a.ts': `import Piscina from 'piscina';
const pool = new Piscina({ filename: './hash.js' });
export const hash = (data: string) => pool.run(data);
` } },
  ],
});

runTable('hot-path-lock', {
  invalid: [
    { name: 'an express handler reaching a module lock in another file', files: {
      'src/orders.ts': `${mutex}const lock = new Mutex();
export const place = () => lock.runExclusive(async () => { await Promise.resolve(); return 1; });
`,
      'src/server.ts': `import express from 'express';
import { place } from './orders.js';
const app = express();
app.post('/orders', async (_req, res) => {
  res.json(await place()); // expect: hot-path-lock
});
` } },
    { name: 'a named handler, an imported instance method and an imported limiter', files: {
      'src/orders.ts': `${mutex}class Orders {
  private readonly lock = new Mutex();
  place() { return this.lock.runExclusive(async () => { await Promise.resolve(); return 1; }); }
}
export const orders = new Orders();
`,
      'src/limits.ts': "import pLimit from 'p-limit';\nexport const one = pLimit(1);\n",
      'src/server.ts': `import express from 'express';
import { orders } from './orders.js';
import { one } from './limits.js';
const app = express();
async function create(_req: unknown, res: { json(x: unknown): void }) {
  res.json(await orders.place());
}
app.post('/orders', create); // expect: hot-path-lock
app.get('/slow', async (_req, res) => {
  res.json(await one(async () => 1)); // expect: hot-path-lock
});
` } },
    { name: 'a NestJS controller calling an injected service', files: {
      'src/orders.service.ts': `${mutex}import { Injectable } from '@nestjs/common';
@Injectable()
export class OrdersService {
  private readonly lock = new Mutex();
  create() { return this.lock.runExclusive(async () => { await Promise.resolve(); return 1; }); }
}
`,
      'src/orders.controller.ts': `import { Controller, Post } from '@nestjs/common';
import { OrdersService } from './orders.service.js';
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}
  @Post()
  create() {
    return this.orders.create(); // expect: hot-path-lock
  }
}
` } },
    { name: 'a Next.js route handler written as a const', files: { 'src/app/api/orders/route.ts': `${mutex}const lock = new Mutex();
export const POST = async () => Response.json(await lock.runExclusive(async () => { await Promise.resolve(); return 1; })); // expect: hot-path-lock
` } },
  ],
  valid: [
    { name: 'a per-key lock on the request path', files: { 'src/server.ts': `${mutex}import express from 'express';
const locks = new Map<string, Mutex>();
const app = express();
app.post('/carts/:id', async (req, res) => {
  const lock = locks.get(req.params.id) ?? new Mutex();
  locks.set(req.params.id, lock);
  res.json(await lock.runExclusive(async () => { await Promise.resolve(); return 1; }));
});
` } },
    { name: 'a lock taken only by a background job', files: { 'src/job.ts': `${mutex}const lock = new Mutex();
export const nightly = () => lock.runExclusive(async () => { await Promise.resolve(); });
setInterval(nightly, 86_400_000);
` } },
  ],
});

test('every TypeScript snippet of the tables parses', () => {
  const problems = SNIPPETS.filter((s) => /\.ts$/.test(s.where)).flatMap((s) => {
    const { diagnostics } = ts.transpileModule(s.text, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
    return (diagnostics ?? []).map((d) => `${s.where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  });
  assert.deepEqual(problems, []);
  assert.ok(SNIPPETS.filter((s) => /\.ts$/.test(s.where)).length >= 25);
});
