import type { MessageKey } from '../i18n/vi.js';
import type { Actor } from '../permissions/actor.js';
import { roleMayEver } from '../permissions/check.js';
import type { Action } from '../permissions/rules.js';

interface NavItem {
  href: string;
  label: MessageKey;
  permission: Action;
}

/** The main menu: an item shows only when the active role could use the page behind it. */
const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'nav.home', permission: 'account.use' },
  { href: '/admin/organisations', label: 'nav.organisations', permission: 'org.manage' },
  { href: '/admin/users', label: 'nav.users', permission: 'user.manage' },
  { href: '/account', label: 'nav.account', permission: 'account.use' },
];

export function navigationFor(actor: Actor | null): readonly NavItem[] {
  if (!actor) return [];
  return NAV_ITEMS.filter((item) => roleMayEver(item.permission, actor.role));
}
