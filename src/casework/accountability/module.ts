/**
 * Supervisors' view of a case's accountability: its access log (who opened, printed, exported or
 * downloaded from it, and when) and its field-level change history. Reading either is itself audited.
 */
import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { recordAudit } from '../../audit/log.js';
import { caseSubject, findCase, type CaseRow } from '../../cases/repository.js';
import type { DbOrTx } from '../../db/client.js';
import { isMessageKey } from '../../i18n/i18n.js';
import { organisationNames } from '../../triage/case-facts.js';
import { notFound } from '../../web/http-error.js';
import { idParam, pageParam } from '../../web/params.js';
import type { CaseworkModule } from '../module.js';
import { accessActionLabel, accessLog, fieldChangesOf, type FieldChangeRow } from './repository.js';

const PAGE_SIZE = 50;

/** Ids in a change are shown as the names of the people and places they stand for. */
function valueNames(db: DbOrTx, rows: readonly FieldChangeRow[]): { users: Map<string, string>; orgs: Map<string, string> } {
  const idsOf = (suffix: string): number[] =>
    rows
      .filter((row) => row.field.endsWith(suffix))
      .flatMap((row) => [row.oldValue, row.newValue])
      .filter((value): value is string => value !== null && /^\d+$/.test(value))
      .map(Number);
  const userIds = [...new Set(idsOf('UserId'))];
  const userRows =
    userIds.length === 0
      ? []
      : db.all<{ id: number; name: string }>(
          sql`SELECT id, display_name AS name FROM users WHERE id IN (${sql.join(userIds.map((id) => sql`${id}`), sql`, `)})`,
        );
  const users = new Map(userRows.map((user) => [String(user.id), user.name]));
  const orgs = new Map([...organisationNames(db, idsOf('OrgId'))].map(([id, name]) => [String(id), name]));
  return { users, orgs };
}

export const accountabilityModule: CaseworkModule = {
  id: 'accountability',

  routes(app) {
    /** The case, if the actor may see its accountability records: 404 unknown, 403 (audited) otherwise. */
    function loadAccountable(request: FastifyRequest, action: 'case.access_log_view' | 'case.changes_view'): CaseRow {
      const row = findCase(app.db, idParam(request));
      if (!row) throw notFound();
      request.authorize('case.accountability', caseSubject(app.db, row), { type: 'case', id: row.id });
      // Committed before the log is read, so the supervisor's own look is in the log it shows.
      recordAudit(app.db, request.auditContext, { action, entityType: 'case', entityId: row.id });
      return row;
    }

    app.get('/cases/:id/access-log', { config: { permission: 'case.accountability' } }, async (request, reply) => {
      const row = loadAccountable(request, 'case.access_log_view');
      const page = pageParam(request);
      const { rows, total } = accessLog(app.db, row.id, PAGE_SIZE, (page - 1) * PAGE_SIZE);
      return reply.page('pages/cases/accountability-access', {
        title: request.t('accountability.access_title', { reference: row.reference }),
        caseRow: row,
        rows: rows.map((entry) => ({ ...entry, label: accessActionLabel(entry.action) })),
        total,
        page,
        pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      });
    });

    app.get('/cases/:id/changes', { config: { permission: 'case.accountability' } }, async (request, reply) => {
      const row = loadAccountable(request, 'case.changes_view');
      const page = pageParam(request);
      const { rows, total } = fieldChangesOf(app.db, row.id, PAGE_SIZE, (page - 1) * PAGE_SIZE);
      const names = valueNames(app.db, rows);
      const shown = (field: string, value: string | null): string | null => {
        if (value === null) return null;
        if (field.endsWith('UserId')) return names.users.get(value) ?? value;
        if (field.endsWith('OrgId')) return names.orgs.get(value) ?? value;
        return value;
      };
      return reply.page('pages/cases/accountability-changes', {
        title: request.t('accountability.changes_title', { reference: row.reference }),
        caseRow: row,
        rows: rows.map((change) => {
          const key = `accountability.field.${change.entity}.${change.field}`;
          return {
            ...change,
            // A field another module records without a label of its own is still shown, by its name.
            fieldLabel: isMessageKey(key) ? request.t(key) : `${change.entity}.${change.field}`,
            oldShown: shown(change.field, change.oldValue),
            newShown: shown(change.field, change.newValue),
          };
        }),
        total,
        page,
        pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      });
    });
  },
};
