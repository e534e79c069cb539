import { Mutex } from 'async-mutex';

const counterLock = new Mutex();
let served = 0;

export function countServed(): Promise<number> {
  return counterLock.runExclusive(() => { // expect: lock-without-await
    served += 1;
    return served;
  });
}
