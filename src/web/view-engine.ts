import { Eta } from 'eta';

/**
 * Eta works out an included template's file on every include, and keys its own cache of those paths
 * with a JSON string it builds each time: a page of forms includes dozens of partials, and that was
 * 1 to 2 % of the case page and the worklist under load. Where a name leads depends only on the
 * including file, so each pair is worked out once, by Eta (which also refuses a path outside the
 * views directory).
 */
export class ViewEngine extends Eta {
  constructor(...config: ConstructorParameters<typeof Eta>) {
    super(...config);
    const resolve = this.resolvePath;
    if (!resolve) return;
    const resolved = new Map<string, string>();
    this.resolvePath = function resolveOnce(template, options) {
      const key = `${options?.filepath ?? ''}\0${template}`;
      let path = resolved.get(key);
      if (path === undefined) resolved.set(key, (path = resolve.call(this, template, options)));
      return path;
    };
  }
}
