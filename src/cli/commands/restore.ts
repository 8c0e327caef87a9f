import { restoreDatabase } from '../backup.js';
import type { Command } from '../command.js';
import { describeCheck, describeDocuments } from '../report.js';

export const restoreCommand: Command = {
  name: 'restore',
  args: ['file'],
  summary: 'Restore a backup (database and documents) into --data-dir, which must be empty, then check it (khôi phục)',
  options: {},
  async run({ args: [file = ''], dataDir, out }) {
    const report = await restoreDatabase(file, dataDir);
    out(`Restored to ${report.file}`);
    for (const line of describeCheck(report)) out(line);
    for (const line of describeDocuments(report.documents, 'restored')) out(line);
    const { applied, total } = report.migrations;
    out(applied > 0 ? `Applied ${applied} pending migration(s); the database is current (${total} of ${total}).` : 'No pending migrations.');
    if (report.documents.problems.length === 0) return 0;
    out('WARNING: the documents above were already missing or damaged when the backup was made; their files are not restored. Recover them from an earlier backup.');
    return 1;
  },
};
