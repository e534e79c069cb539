import { Mutex } from 'async-mutex';
import { redis } from './db.js';

const catalogLock = new Mutex(); // expect: lock-for-reads
let prices: Record<string, number> = {};

export async function priceOf(sku: string): Promise<number | undefined> {
  return catalogLock.runExclusive(async () => {
    await warm();
    return prices[sku];
  });
}

export async function allPrices(): Promise<Record<string, number>> {
  return catalogLock.runExclusive(async () => {
    await warm();
    return { ...prices };
  });
}

export async function reload(): Promise<void> {
  await catalogLock.runExclusive(async () => {
    prices = JSON.parse((await redis.get('prices')) ?? '{}'); // expect: pool-behind-lock
  });
}

async function warm(): Promise<void> {}
