import { restoreDatabase } from '../backup.js';
import type { Command } from '../command.js';
import { describeCheck } from '../report.js';

export const restoreCommand: Command = {
  name: 'restore',
  args: ['file'],
  summary: 'Restore a backup into --data-dir, which must not hold a database yet, then check it (khôi phục)',
  options: {},
  async run({ args: [file = ''], dataDir, out }) {
    const report = await restoreDatabase(file, dataDir);
    out(`Restored to ${report.file}`);
    for (const line of describeCheck(report)) out(line);
    const { applied, total } = report.migrations;
    out(applied > 0 ? `Applied ${applied} pending migration(s); the database is current (${total} of ${total}).` : 'No pending migrations.');
    return 0;
  },
};
