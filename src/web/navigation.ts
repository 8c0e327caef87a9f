import { countPendingReferrals } from '../casework/referrals/repository.js';
import type { DbOrTx } from '../db/client.js';
import type { MessageKey } from '../i18n/vi.js';
import type { Actor } from '../permissions/actor.js';
import { roleMayEver } from '../permissions/check.js';
import type { Action } from '../permissions/rules.js';
import { countNewIntakes } from '../triage/queue.js';

interface NavItem {
  href: string;
  label: MessageKey;
  permission: Action;
  /** Work waiting behind the item (e.g. new intakes), shown beside the label on full pages. */
  count?: (db: DbOrTx, actor: Actor) => number;
}

export interface NavLink {
  href: string;
  label: MessageKey;
  count: number | null;
}

/** The main menu: an item shows only when the active role could use the page behind it. */
const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'nav.home', permission: 'account.use' },
  { href: '/triage', label: 'nav.triage', permission: 'case.triage', count: countNewIntakes },
  // case search (issue 4): also a search box in the header (views/layout.eta) for the same roles
  { href: '/search', label: 'nav.search', permission: 'case.read' },
  // referrals (issue 4): the receiving organisation's pending referrals
  { href: '/referrals', label: 'nav.referrals', permission: 'referral.respond', count: countPendingReferrals },
  { href: '/admin/organisations', label: 'nav.organisations', permission: 'org.manage' },
  { href: '/admin/users', label: 'nav.users', permission: 'user.manage' },
  { href: '/admin/api-keys', label: 'nav.api_keys', permission: 'apikey.manage' },
  { href: '/admin/taxonomy', label: 'nav.settings', permission: 'settings.manage' },
  { href: '/hotline/calls/new', label: 'nav.hotline_new', permission: 'hotline.record' },
  { href: '/hotline/calls', label: 'nav.hotline_calls', permission: 'hotline.record' },
  { href: '/flags/new', label: 'nav.flag_new', permission: 'flag.create' },
  { href: '/flags/mine', label: 'nav.flags_mine', permission: 'flag.read_own' },
  { href: '/flags', label: 'nav.flags_queue', permission: 'flag.review' },
  // statistics (issue 5)
  { href: '/statistics', label: 'nav.statistics', permission: 'stats.view' },
  { href: '/account', label: 'nav.account', permission: 'account.use' },
];

/** Counts are only computed when `db` is given: htmx fragments have no menu to show them in. */
export function navigationFor(actor: Actor | null, db?: DbOrTx): NavLink[] {
  if (!actor) return [];
  return NAV_ITEMS.filter((item) => roleMayEver(item.permission, actor.role)).map(({ href, label, count }) => ({
    href,
    label,
    count: count && db ? count(db, actor) : null,
  }));
}
