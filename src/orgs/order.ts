import { ORG_KINDS, type OrgKind } from './schema.js';

const collator = new Intl.Collator('vi');

/** Places in Vietnamese alphabetical order (Đ after D, tones after the bare letter). */
export function byName(a: { name: string }, b: { name: string }): number {
  return collator.compare(a.name, b.name);
}

/** Organisations by kind, in the order of ORG_KINDS (the tree's levels), then by name. */
export function byKindThenName(a: { kind: OrgKind; name: string }, b: { kind: OrgKind; name: string }): number {
  return ORG_KINDS.indexOf(a.kind) - ORG_KINDS.indexOf(b.kind) || byName(a, b);
}
