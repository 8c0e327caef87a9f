import { verifyAuditChain } from '../../audit/verify.js';
import type { Command } from '../command.js';
import { withDatabase } from '../database.js';
import { describeChain } from '../report.js';

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  args: [],
  summary: 'Check that no audit entry was changed, removed or reordered (kiểm tra nhật ký)',
  options: {},
  run({ dataDir, out }) {
    return withDatabase(
      dataDir,
      (db) => {
        const verdict = verifyAuditChain(db);
        out(describeChain(verdict));
        return verdict.ok ? 0 : 1;
      },
      { readonly: true },
    );
  },
};
