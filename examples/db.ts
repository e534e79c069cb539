import { Pool } from 'pg';
import Redis from 'ioredis';

// Ten connections: ten queries can run at once.
export const pool = new Pool({ max: 10 });
export const redis = new Redis();
