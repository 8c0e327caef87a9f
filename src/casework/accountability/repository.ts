/**
 * A case's accountability records for supervisors: who looked at it (the audit log's reads of this
 * case) and who changed what (field_changes). Both are append-only, so these are plain reads.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { limitRows } from '../../db/paging.js';
import type { MessageKey } from '../../i18n/vi.js';

/** Audit actions that mean someone saw or took case content away, by how the access log names them. */
const ACCESS_ACTIONS: Record<string, MessageKey> = {
  'case.view': 'accountability.action_view',
  // Recorded only as a refusal: somebody tried to open the case and was turned away.
  'case.read': 'accountability.action_read',
  'case.plan_view': 'accountability.action_plan_view',
  'case.document_download': 'accountability.action_document_download',
  'case.access_log_view': 'accountability.action_access_log_view',
  'case.changes_view': 'accountability.action_changes_view',
};
/** Families of actions other modules name per form or format (case.print.mau01, case.export.pdf, …). */
const ACCESS_PREFIXES: Record<string, MessageKey> = {
  'case.print': 'accountability.action_print',
  'case.export': 'accountability.action_export',
};

export function accessActionLabel(action: string): MessageKey {
  const prefix = Object.keys(ACCESS_PREFIXES).find((candidate) => action === candidate || action.startsWith(`${candidate}.`) || action.startsWith(`${candidate}_`));
  return ACCESS_ACTIONS[action] ?? (prefix ? ACCESS_PREFIXES[prefix] : undefined) ?? 'accountability.action_other';
}

function accessCondition(caseId: number): SQL {
  const exact = sql.join(Object.keys(ACCESS_ACTIONS).map((action) => sql`${action}`), sql`, `);
  const families = Object.keys(ACCESS_PREFIXES).map((prefix) => sql`action = ${prefix} OR substr(action, 1, ${prefix.length + 1}) IN (${`${prefix}.`}, ${`${prefix}_`})`);
  return sql`entity_type = 'case' AND entity_id = ${String(caseId)} AND (action IN (${exact}) OR ${sql.join(families, sql` OR `)})`;
}

export interface AccessLogRow {
  id: number;
  at: string;
  userName: string | null;
  role: string | null;
  action: string;
  refused: boolean;
}

export function accessLog(db: DbOrTx, caseId: number, limit: number, offset: number): { rows: AccessLogRow[]; total: number } {
  const where = accessCondition(caseId);
  const rows = db
    .all<Omit<AccessLogRow, 'refused'> & { outcome: string }>(sql`
      SELECT l.id, l.at, u.display_name AS userName, l.actor_role AS role, l.action, l.outcome
      FROM audit_log l LEFT JOIN users u ON u.id = l.actor_user_id
      WHERE ${where}
      ORDER BY l.id DESC
      ${limitRows(limit, offset)}`)
    .map(({ outcome, ...row }) => ({ ...row, refused: outcome === 'refused' }));
  const { total } = db.get<{ total: number }>(sql`SELECT count(*) AS total FROM audit_log WHERE ${where}`);
  return { rows, total };
}

export interface FieldChangeRow {
  id: number;
  at: string;
  userName: string | null;
  entity: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
}

export function fieldChangesOf(db: DbOrTx, caseId: number, limit: number, offset: number): { rows: FieldChangeRow[]; total: number } {
  const rows = db.all<FieldChangeRow>(sql`
    SELECT c.id, c.at, u.display_name AS userName, c.entity, c.field, c.old_value AS oldValue, c.new_value AS newValue
    FROM field_changes c LEFT JOIN users u ON u.id = c.user_id
    WHERE c.case_id = ${caseId}
    ORDER BY c.at DESC, c.id DESC
    ${limitRows(limit, offset)}`);
  const { total } = db.get<{ total: number }>(sql`SELECT count(*) AS total FROM field_changes WHERE case_id = ${caseId}`);
  return { rows, total };
}
