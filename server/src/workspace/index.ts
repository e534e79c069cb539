// What the workspace knows across files: which modules are pooled database repositories, and every
// serializer by name (for hover on a call into another file). Keeps models, never trees.
import type { FileModel, ProjectContext, Serializer } from '../model';

export class WorkspaceIndex {
  private readonly models = new Map<string, FileModel>();
  private context_: ProjectContext | undefined;

  /** Records a file's model; returns true when that changed the project context. */
  update(model: FileModel): boolean {
    const before = repoNames(this.models.get(model.uri));
    this.models.set(model.uri, model);
    return this.invalidateIf(before !== repoNames(model));
  }

  remove(uri: string): boolean {
    const before = repoNames(this.models.get(uri));
    this.models.delete(uri);
    return this.invalidateIf(before !== '');
  }

  get size(): number {
    return this.models.size;
  }

  context(): ProjectContext {
    this.context_ ??= { repoModules: new Set([...this.models.values()].flatMap((m) => m.modules.filter((x) => x.isRepo).map((x) => x.name))) };
    return this.context_;
  }

  /** A serializer by module name or registered name (`:cache`, `{:global, X}`). */
  serializer(name: string): Serializer | undefined {
    for (const model of this.models.values()) {
      for (const s of model.serializers) {
        if (s.name === name || s.registration.name === name || `{:global, ${s.registration.name}}` === name) return s;
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

function repoNames(model: FileModel | undefined): string {
  return model ? model.modules.filter((m) => m.isRepo).map((m) => m.name).sort().join(',') : '';
}
