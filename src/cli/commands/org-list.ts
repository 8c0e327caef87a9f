import { listOrganisations, type Organisation } from '../../orgs/repository.js';
import type { Command } from '../command.js';
import { withDatabase } from '../database.js';

/** Depth-first, children in name order, so each organisation sits under its parent. */
function treeLines(organisations: Organisation[]): string[] {
  const children = new Map<number | null, Organisation[]>();
  for (const org of organisations) children.set(org.parentId, [...(children.get(org.parentId) ?? []), org]);
  const lines: string[] = [];
  const visit = (parentId: number | null, depth: number): void => {
    for (const org of children.get(parentId) ?? []) {
      lines.push(`${'    '.repeat(depth)}[${org.id}] ${org.name} (${org.kind}${org.active ? '' : ', inactive'})`);
      visit(org.id, depth + 1);
    }
  };
  visit(null, 0);
  return lines;
}

export const orgListCommand: Command = {
  name: 'org list',
  args: [],
  summary: 'Show the organisation tree with ids, for `user add --org` (cây tổ chức)',
  options: {},
  run({ dataDir, out }) {
    return withDatabase(
      dataDir,
      (db) => {
        const lines = treeLines(listOrganisations(db));
        if (lines.length === 0) out('No organisations yet.');
        for (const line of lines) out(line);
        return 0;
      },
      { readonly: true },
    );
  },
};
