import { Mutex } from 'async-mutex';

const ledgerLock = new Mutex();
const balances: Record<string, number> = {};

export async function credit(account: string, amount: number): Promise<void> {
  await ledgerLock.runExclusive(async () => {
    await audit(account);
    balances[account] = (balances[account] ?? 0) + amount;
  });
}

export async function transfer(from: string, to: string, amount: number): Promise<void> {
  await ledgerLock.runExclusive(async () => {
    await credit(from, -amount); // expect: nested-acquire
    await credit(to, amount);
  });
}

async function audit(_account: string): Promise<void> {}
