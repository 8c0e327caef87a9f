import type { Role } from './roles.js';

/** The signed-in user acting through one role assignment: permissions are always judged for that pair. */
export interface Actor {
  userId: number;
  assignmentId: number;
  role: Role;
  orgId: number;
}
