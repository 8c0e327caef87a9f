import { printingModule } from '../printing/module.js';
import { accountabilityModule } from './accountability/module.js';
import { assessmentsModule } from './assessments/module.js';
import { assignmentModule } from './assignment/module.js';
import { documentsModule } from './documents/module.js';
import { followUpsModule } from './follow-ups/module.js';
import type { CaseSectionContext, CaseworkModule } from './module.js';
import { notesModule } from './notes/module.js';
import { plansModule } from './plans/module.js';
import { referralsModule } from './referrals/module.js';
import { reviewModule } from './review/module.js';
import { servicesModule } from './services/module.js';

/** The casework steps, in the order their sections appear on the case page. */
export const CASEWORK_MODULES: readonly CaseworkModule[] = [
  assignmentModule,
  assessmentsModule,
  plansModule,
  referralsModule,
  servicesModule,
  followUpsModule,
  reviewModule,
  notesModule,
  documentsModule,
  accountabilityModule,
  printingModule,
];

export interface LoadedSection {
  id: string;
  template: string;
  data: Record<string, unknown>;
}

export function loadCaseSections(context: CaseSectionContext): LoadedSection[] {
  return CASEWORK_MODULES.flatMap((module) => {
    if (!module.template || !module.load) return [];
    const data = module.load(context);
    return data ? [{ id: module.id, template: module.template, data }] : [];
  });
}
