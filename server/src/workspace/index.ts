// What the workspace knows across files: the modules it defines, which of them are pooled database
// repositories, and every serializer by name (for hover on a call into another file). Keeps models, never trees.
import type { FileModel, ProjectContext, Serializer } from '../model';
import { isNamedBy } from '../serializers';

export class WorkspaceIndex {
  private readonly models = new Map<string, FileModel>();
  private context_: ProjectContext | undefined;

  /** Records a file's model; returns true when that changed the project context. */
  update(model: FileModel): boolean {
    const before = moduleKey(this.models.get(model.uri));
    this.models.set(model.uri, model);
    return this.invalidateIf(before !== moduleKey(model));
  }

  remove(uri: string): boolean {
    const before = moduleKey(this.models.get(uri));
    this.models.delete(uri);
    return this.invalidateIf(before !== '');
  }

  get size(): number {
    return this.models.size;
  }

  context(): ProjectContext {
    if (!this.context_) {
      const modules = [...this.models.values()].flatMap((m) => m.modules);
      this.context_ = {
        repoModules: new Set(modules.filter((m) => m.isRepo).map((m) => m.name)),
        knownModules: new Set(modules.map((m) => m.name)),
      };
    }
    return this.context_;
  }

  /** A serializer by module name or registered name (`:cache`, `{:global, X}`). */
  serializer(name: string): Serializer | undefined {
    for (const model of this.models.values()) {
      for (const s of model.serializers) {
        if (isNamedBy(s, name)) return s;
      }
    }
    return undefined;
  }

  model(uri: string): FileModel | undefined {
    return this.models.get(uri);
  }

  private invalidateIf(changed: boolean): boolean {
    if (changed) this.context_ = undefined;
    return changed;
  }
}

/** What a file contributes to the project context: its modules and which of them are repos. */
function moduleKey(model: FileModel | undefined): string {
  return model ? model.modules.map((m) => `${m.name}${m.isRepo ? '*' : ''}`).sort().join(',') : '';
}
