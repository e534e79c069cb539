// Serializers that are the right tool: none of these is reported.
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { Mutex, Semaphore, withTimeout } from 'async-mutex';
import type { Socket } from 'node:net';

// Bounded parallelism.
const limit = pLimit(8);
export const downloads = new Semaphore(10);
export const fetchAll = (urls: string[]) => Promise.all(urls.map((url) => limit(() => fetch(url))));

// A single-flight refresh of one token, with awaits inside and a timeout.
const refreshLock = withTimeout(new Mutex(), 5_000);
let token: { value: string; expires: number } | undefined;

export async function accessToken(): Promise<string> {
  return refreshLock.runExclusive(async () => {
    if (token && token.expires > Date.now()) return token.value;
    const response = await fetch('https://auth.example.com/token', { method: 'POST' });
    token = { value: (await response.json()).access_token, expires: Date.now() + 60_000 };
    return token.value;
  });
}

// One lock per key, dropped when idle.
const locks = new Map<string, Mutex>();

export async function withAccountLock<T>(id: string, work: () => Promise<T>): Promise<T> {
  const lock = locks.get(id) ?? new Mutex();
  locks.set(id, lock);
  try {
    return await lock.runExclusive(work);
  } finally {
    if (!lock.isLocked()) locks.delete(id);
  }
}

// A write queue per connection, for the order of frames on one socket.
export class Connection {
  private readonly writes = new PQueue({ concurrency: 1 });

  constructor(private readonly socket: Socket) {}

  send(frame: Buffer): Promise<void> {
    return this.writes.add(() => new Promise<void>((done) => this.socket.write(frame, () => done())));
  }
}
