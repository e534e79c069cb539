// A worker thread of the CLI scan: parses the files it is sent and returns their models (plain data;
// the trees stay here and are freed). The scan uses one per core on large workspaces.
import { parentPort } from 'worker_threads';
import { pathToFileURL } from 'url';
import { ElixirParser } from '../elixir/parser';
import { modelFromText } from '../project';

// Loaded at once: the scan starts its workers before it has read the files.
const parser = ElixirParser.create();

/** Results go back this many files at a time: the models leave this heap as they are made. */
const CHUNK = 32;

parentPort?.on('message', async (message: { id: number; files: { file: string; text: string }[] }) => {
  const p = await parser;
  for (let start = 0; start < message.files.length || start === 0; start += CHUNK) {
    const results = message.files.slice(start, start + CHUNK).map(({ file, text }) => {
      try {
        return { model: modelFromText(p, pathToFileURL(file).href, text) };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    });
    parentPort!.postMessage({ id: message.id, results, done: start + CHUNK >= message.files.length });
  }
});
