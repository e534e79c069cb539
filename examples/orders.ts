import { Mutex } from 'async-mutex';
import { pool } from './db.js';

// "So two orders never get the same number": the database already does that.
const ordersLock = new Mutex();

export async function placeOrder(userId: string, total: number): Promise<number> {
  return ordersLock.runExclusive(async () => {
    const { rows } = await pool.query('insert into orders (user_id, total) values ($1, $2) returning id', [userId, total]);
    return rows[0].id;
  });
}
