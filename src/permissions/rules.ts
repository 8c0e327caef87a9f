import type { ConditionName } from './conditions.js';
import { ROLES, type Role } from './roles.js';

/** All conditions of a group must hold; any one group allows. A role in no group is refused. */
export interface RuleGroup {
  roles: readonly Role[];
  when?: readonly ConditionName[];
}

export interface Permission {
  /** The kind of record the conditions look at; null for permissions that concern no record. */
  subject: 'organisation' | 'user' | 'case' | null;
  allow: readonly RuleGroup[];
}

const EVERY_ROLE = ROLES;
const CASE_WORKERS = ['commune_worker', 'commune_chair', 'supervisor'] as const satisfies readonly Role[];

/**
 * Every permission in BVTE, as data. Routes name one of these; handlers check records and build list
 * filters from the same entries. Administrators manage accounts and organisations, never case files.
 */
export const PERMISSIONS = {
  'account.use': { subject: null, allow: [{ roles: EVERY_ROLE }] },

  'org.manage': { subject: 'organisation', allow: [{ roles: ['admin'], when: ['org_within'] }] },
  'user.manage': { subject: 'user', allow: [{ roles: ['admin'], when: ['org_within'] }] },
  'settings.manage': { subject: null, allow: [{ roles: ['admin'] }] },

  'case.read': {
    subject: 'case',
    allow: [
      { roles: ['commune_worker'], when: ['org_within', 'not_sensitive'] },
      { roles: ['commune_worker'], when: ['org_within', 'assigned_to_actor'] },
      { roles: ['commune_chair', 'supervisor'], when: ['org_within'] },
    ],
  },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof PERMISSIONS;

export const CASE_ROLES: readonly Role[] = CASE_WORKERS;

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);
}

/** Catches rule mistakes at start-up instead of at the first refused request. */
export function validatePermissions(permissions: Record<string, Permission> = PERMISSIONS): void {
  for (const [action, permission] of Object.entries(permissions)) {
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
