import type { AuditContext, AuditEvent } from '../audit/log.js';
import type { Session, SessionUser } from '../auth/session.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import type { Reader } from '../db/reader.js';
import type { Locale, Translate } from '../i18n/i18n.js';
import type { Actor } from '../permissions/actor.js';
import type { OrgRelations, SubjectColumns, SubjectRecord } from '../permissions/conditions.js';
import type { Action } from '../permissions/rules.js';
import type { SQL } from 'drizzle-orm';

/** What a route may declare: one permission from the rules, or PUBLIC for pages anyone may open. */
export const PUBLIC = 'public';
export type RoutePermission = Action | typeof PUBLIC;

/** One registered route as the permissions plugin saw it: what the sweeps and the access matrix enumerate. */
export interface DeclaredRoute {
  method: string;
  url: string;
  permission: RoutePermission;
  auth: 'session' | 'api_key';
  csrf: boolean | 'multipart';
}

export interface AuditedEntity {
  type: string;
  id: string | number;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /** Runs long reads (a province's search) on a thread of its own (src/db/reader.ts). */
    reader: Reader;
    config: Config;
    orgRelations: OrgRelations;
    /** Every route with the permission it declared, in registration order. */
    declaredRoutes: readonly DeclaredRoute[];
  }
  interface FastifyContextConfig {
    permission?: RoutePermission;
    /**
     * False only for routes authenticated without cookies (API keys), where CSRF cannot happen.
     * 'multipart' for uploads: the handler checks the token with verifyCsrf (src/auth/csrf.ts) before reading the file.
     */
    csrf?: boolean | 'multipart';
  }
  interface FastifyRequest {
    user: SessionUser | null;
    session: Session | null;
    actor: Actor | null;
    locale: Locale;
    t: Translate;
    csrfToken: string;
    auditContext: AuditContext;
    /** Audits a read without a transaction of its own: the entry joins the next group commit, and the response waits for it. */
    auditRead(event: AuditEvent): void;
    pendingAudit: Promise<void> | null;
    /** Refuses (403, audited) unless the rules allow the action on this record. */
    authorize(action: Action, record: SubjectRecord, entity: AuditedEntity): void;
    /** The rules for the action as a SQL condition over the given columns, for lists and searches. */
    scope(action: Action, columns: SubjectColumns): SQL;
    /** The signed-in actor; throws when the route is public and nobody signed in. */
    requireActor(): Actor;
  }
  interface FastifyReply {
    page(template: string, data?: Record<string, unknown>): Promise<FastifyReply>;
  }
}
