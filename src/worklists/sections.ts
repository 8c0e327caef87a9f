/**
 * Each role's home page is its worklist: which lists a role sees is data (SECTIONS_BY_ROLE), and each
 * list is read with the permission scope of the action it is for. Roles without case work (teachers,
 * school leads, hotline operators, boards, administrators) get no lists and no case data.
 */
import type { SQL } from 'drizzle-orm';
import { countPendingReferrals } from '../casework/referrals/repository.js';
import { CASE_COLUMNS } from '../cases/repository.js';
import type { DbOrTx } from '../db/client.js';
import type { Translate } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/vi.js';
import type { Actor } from '../permissions/actor.js';
import type { SubjectColumns } from '../permissions/conditions.js';
import type { Action } from '../permissions/rules.js';
import type { Role } from '../permissions/roles.js';
import { countdownTo, type Countdown } from '../triage/countdown.js';
import {
  clockAt,
  listAwaitingApproval,
  listDueSoon,
  listMyCases,
  listOverdue,
  listTeamCaseload,
  listUnassigned,
  type Clock,
  type Page,
  type TeamMemberLoad,
  type WorklistRow,
} from './queries.js';

type CaseListId = 'mine' | 'due_soon' | 'overdue' | 'approval' | 'unassigned';
type SectionId = CaseListId | 'team' | 'referrals';

const SECTIONS_BY_ROLE: Record<Role, readonly SectionId[]> = {
  commune_worker: ['mine', 'due_soon', 'overdue'],
  social_worker: ['referrals', 'mine', 'due_soon', 'overdue'],
  commune_chair: ['approval'],
  supervisor: ['team', 'unassigned'],
  teacher: [],
  school_lead: [],
  hotline_operator: [],
  board_viewer: [],
  admin: [],
};

/** Sections whose list is paginated, in the order their page parameters are kept in links. */
const PAGED_SECTIONS: readonly Exclude<SectionId, 'referrals'>[] = ['mine', 'due_soon', 'overdue', 'approval', 'team', 'unassigned'];

interface CaseListDefinition {
  action: Action;
  title: MessageKey;
  intro: MessageKey;
  empty: MessageKey;
  list(db: DbOrTx, scope: SQL, actor: Actor, clock: Clock, page: number): Page<WorklistRow>;
}

const CASE_LISTS: Record<CaseListId, CaseListDefinition> = {
  mine: {
    action: 'case.read',
    title: 'worklists.mine_title',
    intro: 'worklists.mine_intro',
    empty: 'worklists.mine_empty',
    list: (db, scope, actor, _clock, page) => listMyCases(db, scope, actor, page),
  },
  due_soon: {
    action: 'case.read',
    title: 'worklists.due_soon_title',
    intro: 'worklists.due_soon_intro',
    empty: 'worklists.due_soon_empty',
    list: (db, scope, _actor, clock, page) => listDueSoon(db, scope, clock, page),
  },
  overdue: {
    action: 'case.read',
    title: 'worklists.overdue_title',
    intro: 'worklists.overdue_intro',
    empty: 'worklists.overdue_empty',
    list: (db, scope, _actor, clock, page) => listOverdue(db, scope, clock, page),
  },
  approval: {
    action: 'case.approve',
    title: 'worklists.approval_title',
    intro: 'worklists.approval_intro',
    empty: 'worklists.approval_empty',
    list: (db, scope, _actor, _clock, page) => listAwaitingApproval(db, scope, page),
  },
  unassigned: {
    action: 'case.assign',
    title: 'worklists.unassigned_title',
    intro: 'worklists.unassigned_intro',
    empty: 'worklists.unassigned_empty',
    list: (db, scope, _actor, _clock, page) => listUnassigned(db, scope, page),
  },
};

export type WorklistSection =
  | { kind: 'cases'; id: CaseListId; title: MessageKey; intro: MessageKey; empty: MessageKey; list: Page<WorklistRow & { countdown: Countdown | null }>; base: string }
  | { kind: 'team'; id: 'team'; list: Page<TeamMemberLoad>; base: string }
  | { kind: 'referrals'; id: 'referrals'; count: number };

export interface WorklistRequest {
  db: DbOrTx;
  actor: Actor;
  scope(action: Action, columns: SubjectColumns): SQL;
  t: Translate;
  query: Record<string, unknown>;
  now?: Date;
}

function pageOf(query: Record<string, unknown>, id: string): number {
  const raw = query[`${id}_page`];
  return typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Math.max(1, Number(raw)) : 1;
}

/**
 * The start of a pagination link for one list that keeps the other lists on their pages. The shared
 * pagination partial appends "page=N", so the base ends with the list's prefix ("…&mine_").
 */
function paginationBase(query: Record<string, unknown>, id: string): string {
  const others = PAGED_SECTIONS.filter((other) => other !== id && pageOf(query, other) > 1).map((other) => `${other}_page=${pageOf(query, other)}`);
  return `/?${[...others, ''].join('&')}${id}_`;
}

export function hasWorklist(role: Role): boolean {
  return SECTIONS_BY_ROLE[role].length > 0;
}

export function loadWorklist(request: WorklistRequest): WorklistSection[] {
  const { db, actor, query } = request;
  const now = request.now ?? new Date();
  const clock = clockAt(now);
  return SECTIONS_BY_ROLE[actor.role].map((id): WorklistSection => {
    if (id === 'referrals') {
      // The same count, filtered by the same 'referral.respond' rules, as beside the menu item.
      return { kind: 'referrals', id, count: countPendingReferrals(db, actor) };
    }
    if (id === 'team') {
      const list = listTeamCaseload(db, request.scope('case.read', CASE_COLUMNS), actor, clock, pageOf(query, id));
      return { kind: 'team', id, list, base: paginationBase(query, id) };
    }
    const definition = CASE_LISTS[id];
    const list = definition.list(db, request.scope(definition.action, CASE_COLUMNS), actor, clock, pageOf(query, id));
    return {
      kind: 'cases',
      id,
      title: definition.title,
      intro: definition.intro,
      empty: definition.empty,
      list: { ...list, rows: list.rows.map((row) => ({ ...row, countdown: countdownTo(request.t, row.dueAt, now) })) },
      base: paginationBase(query, id),
    };
  });
}
