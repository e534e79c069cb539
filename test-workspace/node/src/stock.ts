import { Mutex } from 'async-mutex';
import { pool } from './db.js';

const stockLock = new Mutex();

export async function reserve(sku: string, qty: number): Promise<void> {
  await stockLock.runExclusive(async () => { // expect: in-process-lock
    const { rows } = await pool.query('select on_hand from stock where sku = $1', [sku]);
    if (rows[0].on_hand < qty) throw new Error(`out of stock: ${sku}`);
    await pool.query('update stock set on_hand = on_hand - $2 where sku = $1', [sku, qty]);
  });
}
