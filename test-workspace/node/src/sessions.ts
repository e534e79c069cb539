import { Mutex } from 'async-mutex';

interface Session {
  userId: string;
  cart: string[];
}

const sessions = new Map<string, Session>();
const sessionsLock = new Mutex(); // expect: global-lock-keyed-state, unbounded-serializer

export async function addToCart(sessionId: string, sku: string): Promise<void> {
  await sessionsLock.runExclusive(async () => {
    const session = sessions.get(sessionId) ?? { userId: 'anonymous', cart: [] };
    session.cart.push(sku);
    await persist(session);
    sessions.set(sessionId, session);
  });
}

export async function cartOf(sessionId: string): Promise<string[]> {
  return sessionsLock.runExclusive(async () => {
    await loaded();
    return sessions.get(sessionId)?.cart ?? [];
  });
}

async function persist(_session: Session): Promise<void> {}

async function loaded(): Promise<void> {}
