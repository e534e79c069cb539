// LSP positions (UTF-16, as VS Code's are) to the editor, and "show me that line".
import * as vscode from 'vscode';

interface LspRange { start: { line: number; character: number }; end: { line: number; character: number } }

export function toRange(r: LspRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** Opens the file at the range; `preserveFocus` keeps a quick pick open while the user looks. */
export async function revealRange(uri: string, range: LspRange, preserveFocus = false): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  await vscode.window.showTextDocument(document, { selection: toRange(range), preserveFocus, preview: true });
}
