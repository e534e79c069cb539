// Rule documentation ships with the package (docs/rules/<id>.md); this one constant builds every link.
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** docs/rules next to dist/ in the package, or at the repository root when running from sources. */
export const DOCS_DIR = [path.resolve(__dirname, '..', 'docs', 'rules'), path.resolve(__dirname, '..', '..', 'docs', 'rules')]
  .find((dir) => fs.existsSync(dir)) ?? path.resolve(__dirname, '..', 'docs', 'rules');

// Every diagnostic carries its rule's link: built once per rule, not once per diagnostic and keystroke.
const urls = new Map<string, string>();

export function ruleDocsUrl(ruleId: string): string {
  let url = urls.get(ruleId);
  if (url === undefined) urls.set(ruleId, (url = pathToFileURL(path.join(DOCS_DIR, `${ruleId}.md`)).href));
  return url;
}
