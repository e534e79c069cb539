import { appendFile } from 'node:fs/promises';

class AuditLog {
  private tail: Promise<void> = Promise.resolve();

  record(line: string): Promise<void> {
    this.tail = this.tail.then(() => appendFile('audit.log', `${line}\n`)); // expect: unbounded-serializer
    return this.tail;
  }
}

export const auditLog = new AuditLog();
