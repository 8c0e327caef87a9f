import type { ConditionName } from './conditions.js';
import { ROLES, type Role } from './roles.js';

/** All conditions of a group must hold; any one group allows. A role in no group is refused. */
export interface RuleGroup {
  roles: readonly Role[];
  when?: readonly ConditionName[];
}

export interface Permission {
  /** The kind of record the conditions look at; null for permissions that concern no record. */
  subject: 'organisation' | 'user' | 'case' | 'flag' | 'api_key' | 'referral' | 'notification' | null;
  allow: readonly RuleGroup[];
  /** Granted to API keys (routes with config.auth 'api_key', src/api) and never to a signed-in role. */
  apiKey?: true;
}

const EVERY_ROLE = ROLES;

/**
 * Who may see a case: commune workers see their communes' cases except sensitive ones (sexual abuse,
 * allegations against facility staff), which only the assigned worker, supervisors and the
 * chairperson see.
 */
const CASE_VIEWERS: readonly RuleGroup[] = [
  { roles: ['commune_worker'], when: ['org_within', 'not_sensitive'] },
  { roles: ['commune_worker'], when: ['org_within', 'assigned_to_actor'] },
  { roles: ['commune_chair', 'supervisor'], when: ['org_within'] },
  { roles: ['social_worker'], when: ['referral_accepted_by_actor_org'] },
];
/** Casework (verification, assessment, planning, review) is done by workers and supervisors who can see the case. */
const CASE_WORKERS: readonly RuleGroup[] = [
  { roles: ['commune_worker'], when: ['org_within', 'not_sensitive'] },
  { roles: ['commune_worker'], when: ['org_within', 'assigned_to_actor'] },
  { roles: ['supervisor'], when: ['org_within'] },
];

/**
 * Every permission in BVTE, as data. Routes name one of these; handlers check records and build list
 * filters from the same entries. Administrators manage accounts and organisations, never case files.
 */
export const PERMISSIONS = {
  'account.use': { subject: null, allow: [{ roles: EVERY_ROLE }] },

  'org.manage': { subject: 'organisation', allow: [{ roles: ['admin'], when: ['org_within'] }] },
  'user.manage': { subject: 'user', allow: [{ roles: ['admin'], when: ['org_within'] }] },
  /**
   * Giving someone a role, never oneself: an administrator who could make themselves a supervisor
   * would read case files under their own name (found by the access matrix, issue 6).
   */
  'user.grant_roles': { subject: 'user', allow: [{ roles: ['admin'], when: ['org_within', 'not_actor'] }] },
  /**
   * Setting someone's password without knowing it, never one's own: that is changed on the account
   * page, which asks for the current one, so a session left open is not enough to take the account.
   */
  'user.reset_password': { subject: 'user', allow: [{ roles: ['admin'], when: ['org_within', 'not_actor'] }] },
  'settings.manage': { subject: null, allow: [{ roles: ['admin'] }] },
  'apikey.manage': { subject: 'api_key', allow: [{ roles: ['admin'], when: ['org_within'] }] },
  /** Telephony and contact-centre systems file intakes with an organisation's API key; no role may. */
  'intake.api': { subject: null, allow: [], apiKey: true },

  /** Teachers and leads flag concerns about pupils of their own school. */
  'flag.create': { subject: null, allow: [{ roles: ['teacher', 'school_lead'] }] },
  /** A teacher follows only their own flags, and only their coarse status. */
  'flag.read_own': { subject: 'flag', allow: [{ roles: ['teacher', 'school_lead'], when: ['created_by_actor'] }] },
  'flag.review': { subject: 'flag', allow: [{ roles: ['school_lead'], when: ['org_within'] }] },
  'hotline.record': { subject: null, allow: [{ roles: ['hotline_operator'] }] },

  'case.read': { subject: 'case', allow: CASE_VIEWERS },
  /** The triage queue and taking an intake into verification. */
  'case.triage': { subject: 'case', allow: CASE_WORKERS },
  'case.work': { subject: 'case', allow: CASE_WORKERS },
  /** Approval by decision of the commune People's Committee chairperson (Art. 28.2), and of closure. */
  'case.approve': { subject: 'case', allow: [{ roles: ['commune_chair'], when: ['org_within'] }] },
  'case.transfer': { subject: 'case', allow: CASE_WORKERS },
  'case.reopen': { subject: 'case', allow: CASE_WORKERS },
  /** Services and follow-up visits: the case's workers, and the social workers of an organisation that accepted a referral. */
  'case.serve': {
    subject: 'case',
    allow: [...CASE_WORKERS, { roles: ['social_worker'], when: ['referral_accepted_by_actor_org'] }],
  },
  /** A supervisor assigns and reassigns cases within their organisation. */
  'case.assign': { subject: 'case', allow: [{ roles: ['supervisor'], when: ['org_within'] }] },
  /** Confidential notes: the assigned worker and supervisors only. */
  'case.read_confidential': {
    subject: 'case',
    allow: [
      { roles: ['commune_worker', 'social_worker'], when: ['assigned_to_actor'] },
      { roles: ['supervisor'], when: ['org_within'] },
    ],
  },
  /** A case's access log and field-level change history. */
  'case.accountability': { subject: 'case', allow: [{ roles: ['supervisor'], when: ['org_within'] }] },
  /** Referring without the child's or guardian's consent needs a supervisor's recorded reason. */
  'referral.override_consent': { subject: 'case', allow: [{ roles: ['supervisor'], when: ['org_within'] }] },
  /** The receiving organisation sees its pending referrals (not the case file) and accepts or declines them. */
  'referral.respond': { subject: 'referral', allow: [{ roles: ['social_worker', 'supervisor'], when: ['org_within'] }] },
  /** Each user's own alerts. */
  'notification.read': { subject: 'notification', allow: [{ roles: EVERY_ROLE, when: ['is_owner'] }] },
  /**
   * statistics (issue 5): anonymised counts for the active role's organisation and its subtree (the
   * route fixes the subtree to the actor's org, so there is no record to check). School boards and
   * education offices, the school's safeguarding lead (who reports to the education office),
   * commune chairpersons and supervisors; never teachers, case workers or administrators.
   */
  'stats.view': { subject: null, allow: [{ roles: ['board_viewer', 'school_lead', 'commune_chair', 'supervisor'] }] },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof PERMISSIONS;

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);
}

export function isApiKeyAction(action: Action): boolean {
  return (PERMISSIONS[action] as Permission).apiKey === true;
}

/** Catches rule mistakes at start-up instead of at the first refused request. */
export function validatePermissions(permissions: Record<string, Permission> = PERMISSIONS): void {
  for (const [action, permission] of Object.entries(permissions)) {
    if (permission.apiKey) {
      // Rules judge a signed-in actor; a key has none, so an API-key permission can carry no rules.
      if (permission.allow.length > 0 || permission.subject !== null) throw new Error(`Permission ${action} is for API keys: no roles, no subject`);
      continue;
    }
    if (permission.allow.length === 0) throw new Error(`Permission ${action} allows nobody`);
    for (const group of permission.allow) {
      if (group.roles.length === 0) throw new Error(`Permission ${action} has a rule group with no roles`);
      for (const role of group.roles) {
        if (!(ROLES as readonly string[]).includes(role)) throw new Error(`Permission ${action} names unknown role ${role}`);
      }
      if (permission.subject === null && group.when?.length) {
        throw new Error(`Permission ${action} has conditions but no subject to apply them to`);
      }
    }
  }
}
