import { backupDatabase, isSound } from '../backup.js';
import type { Command } from '../command.js';
import { CLI_AUDIT_CONTEXT, withDatabase } from '../database.js';
import { describeCheck } from '../report.js';

export const backupCommand: Command = {
  name: 'backup',
  args: ['file'],
  summary: 'Copy the live database to a file while the app keeps running, then check the copy (sao lưu)',
  options: {
    force: { type: 'boolean', description: 'Replace the file if it already exists' },
  },
  run({ args: [file = ''], options, dataDir, out }) {
    return withDatabase(dataDir, async (db) => {
      const report = await backupDatabase(db, file, { context: CLI_AUDIT_CONTEXT, force: options.force === true });
      out(`Backup written to ${report.file}`);
      for (const line of describeCheck(report)) out(line);
      if (isSound(report)) return 0;
      out('WARNING: the copy failed its checks (see above). Investigate the live database before relying on this backup.');
      return 1;
    });
  },
};
