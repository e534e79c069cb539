// A worker thread that parses the files it is sent and returns their models (plain data; the trees stay
// here and are freed): the CLI's scan and the server's background index use it (workspace/parse-worker.ts).
import { parentPort } from 'worker_threads';
import { pathToFileURL } from 'url';
import { ElixirParser } from '../elixir/parser';
import { modelFromText } from '../project';

// Loaded at once: the scan starts its workers before it has read the files.
const parser = ElixirParser.create();

/** Results go back this many files at a time: the models leave this heap as they are made. */
const CHUNK = 32;

parentPort?.on('message', async (message: { id: number; files: { file: string; text: string; uri?: string }[]; budgetMs?: number }) => {
  const p = await parser;
  for (let start = 0; start < message.files.length || start === 0; start += CHUNK) {
    const results = message.files.slice(start, start + CHUNK).map(({ file, text, uri }) => {
      try {
        return { model: modelFromText(p, uri ?? pathToFileURL(file).href, text, message.budgetMs) };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    });
    parentPort!.postMessage({ id: message.id, results, done: start + CHUNK >= message.files.length });
  }
});
