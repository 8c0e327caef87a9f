import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CaseRow } from '../cases/repository.js';
import type { Db } from '../db/client.js';
import type { Locale, Translate } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/vi.js';
import type { Actor } from '../permissions/actor.js';
import type { OrgRelations, SubjectRecord } from '../permissions/conditions.js';
import type { FieldErrors, FormValues } from '../web/forms.js';

/** What the case page is re-rendered with after a casework form: a failed form keeps its input. */
export interface CasePageState {
  status?: number;
  /** Which form to show open: a workflow event, or a casework form id such as 'plan'. */
  openAction?: string | null;
  values?: FormValues;
  errors?: FieldErrors;
  message?: MessageKey | null;
  notice?: MessageKey | null;
}

/** The case page's own helpers, lent to casework modules so every step renders and answers alike. */
export interface CasePageTools {
  /** The case, if the actor may read it: 404 for an unknown id, 403 (audited) otherwise. */
  loadReadable(request: FastifyRequest): CaseRow;
  renderCase(request: FastifyRequest, reply: FastifyReply, row: CaseRow, state?: CasePageState): Promise<FastifyReply>;
  /** After a change: htmx gets the updated case body in place; a plain form post gets a 303 to the page. */
  afterChange(request: FastifyRequest, reply: FastifyReply, caseId: number, notice: MessageKey, done: string): Promise<FastifyReply> | FastifyReply;
}

export interface CaseSectionContext {
  db: Db;
  row: CaseRow;
  /** How the rules see the case: worked out once for the page, not again by every section. */
  subject: SubjectRecord;
  actor: Actor;
  orgs: OrgRelations;
  locale: Locale;
  t: Translate;
  state: CasePageState;
}

/**
 * A step of casework (assessments, plan, referrals, services, notes, …): a section of the case page
 * and the routes behind its forms. Modules are listed in src/casework/index.ts, in page order.
 */
export interface CaseworkModule {
  id: string;
  /** A template under views/, rendered with the case page's context plus what `load` returns. */
  template?: string;
  /** The section's data, or null to leave the section out for this actor and case. */
  load?(context: CaseSectionContext): Record<string, unknown> | null;
  routes?(app: FastifyInstance, tools: CasePageTools): void;
  /** The confirmation shown after a plain post redirected with ?done=<key> (the `done` given to afterChange). */
  notices?: Record<string, MessageKey>;
  /** How the case timeline describes the entries this module writes (recordCasework kinds). */
  timelineKinds?: Record<string, MessageKey>;
}
