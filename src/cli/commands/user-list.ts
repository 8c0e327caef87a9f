import { sql } from 'drizzle-orm';
import { listUsers } from '../../users/repository.js';
import { formatTable, type Command } from '../command.js';
import { withDatabase } from '../database.js';

/** SQLite reads a negative LIMIT as "no limit": the operator on the server sees every account. */
const ALL_ROWS = -1;

export const userListCommand: Command = {
  name: 'user list',
  args: [],
  summary: 'List every account with its roles and status (danh sách người dùng)',
  options: {},
  run({ dataDir, out }) {
    return withDatabase(
      dataDir,
      (db) => {
        const { rows } = listUsers(db, sql`1 = 1`, ALL_ROWS, 0);
        if (rows.length === 0) {
          out('No users yet.');
          return 0;
        }
        const table = rows.map((row) => [
          row.username,
          row.displayName,
          row.roles.replaceAll(',', ', ') || '-',
          row.disabled ? 'disabled' : 'active',
        ]);
        for (const line of formatTable(['USERNAME', 'NAME', 'ROLES', 'STATUS'], table)) out(line);
        return 0;
      },
      { readonly: true },
    );
  },
};
