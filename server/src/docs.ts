// Rule documentation ships with the package (docs/rules/<id>.md); this one constant builds every link.
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** docs/rules next to dist/ in the package, or at the repository root when running from sources. */
export const DOCS_DIR = [path.resolve(__dirname, '..', 'docs', 'rules'), path.resolve(__dirname, '..', '..', 'docs', 'rules')]
  .find((dir) => fs.existsSync(dir)) ?? path.resolve(__dirname, '..', 'docs', 'rules');

export function ruleDocsUrl(ruleId: string): string {
  return pathToFileURL(path.join(DOCS_DIR, `${ruleId}.md`)).href;
}
