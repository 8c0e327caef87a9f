import { databaseFile, openDatabase } from '../../db/client.js';
import type { Command } from '../command.js';
import { migrateAndCount } from '../database.js';

export const migrateCommand: Command = {
  name: 'migrate',
  args: [],
  summary: 'Create the database or bring its schema up to date (cập nhật cơ sở dữ liệu)',
  options: {},
  run({ dataDir, out }) {
    // The one command that may create the database, so it opens the file whether or not it exists.
    const db = openDatabase(databaseFile(dataDir));
    try {
      const { applied, total } = migrateAndCount(db);
      out(
        applied > 0
          ? `Applied ${applied} migration(s); the database is now current (${total} of ${total}).`
          : `The database is current (${total} migrations); nothing to apply.`,
      );
      out(`Database: ${databaseFile(dataDir)}`);
    } finally {
      db.$client.close();
    }
    return 0;
  },
};
