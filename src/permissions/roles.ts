export const ROLES = [
  'teacher',
  'school_lead',
  'hotline_operator',
  'commune_worker',
  'commune_chair',
  'social_worker',
  'supervisor',
  'board_viewer',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
