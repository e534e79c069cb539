// The bundled snippets (snippets/<language>.json), read so the checklist can offer the alternative
// its verdict names: inserted in a new editor of the right language, to read and adapt.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export interface Snippet { prefix: string; description?: string; body: string | string[] }

export function snippetsOf(extensionPath: string, language: 'elixir' | 'typescript'): Record<string, Snippet> {
  try {
    return JSON.parse(fs.readFileSync(path.join(extensionPath, 'snippets', `${language}.json`), 'utf8'));
  } catch {
    return {};
  }
}

export async function insertSnippet(snippet: Snippet, language: 'elixir' | 'typescript'): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language, content: '' });
  const editor = await vscode.window.showTextDocument(document);
  const body = Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body;
  await editor.insertSnippet(new vscode.SnippetString(body));
}
