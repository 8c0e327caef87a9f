import { backupDatabase, isComplete, isSound } from '../backup.js';
import type { Command } from '../command.js';
import { CLI_AUDIT_CONTEXT, withDatabase } from '../database.js';
import { describeCheck, describeDocuments } from '../report.js';

export const backupCommand: Command = {
  name: 'backup',
  args: ['file'],
  summary: 'Write the live database and every case document to one file while the app keeps running, then check it (sao lưu)',
  options: {
    force: { type: 'boolean', description: 'Replace the file if it already exists' },
  },
  run({ args: [file = ''], options, dataDir, out }) {
    return withDatabase(dataDir, async (db) => {
      const report = await backupDatabase(db, file, { context: CLI_AUDIT_CONTEXT, dataDir, force: options.force === true });
      out(`Backup written to ${report.file}`);
      for (const line of describeCheck(report)) out(line);
      for (const line of describeDocuments(report.documents, 'in the backup')) out(line);
      if (isComplete(report)) return 0;
      if (!isSound(report)) out('WARNING: the copy failed its checks (see above). Investigate the live database before relying on this backup.');
      if (report.documents.problems.length > 0) {
        out('WARNING: the documents above are missing or damaged in the live data directory and are NOT in this backup. Recover them from an earlier backup.');
      }
      return 1;
    });
  },
};
