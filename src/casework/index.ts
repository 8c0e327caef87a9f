import type { CaseSectionContext, CaseworkModule } from './module.js';

/** The casework steps, in the order their sections appear on the case page. */
export const CASEWORK_MODULES: readonly CaseworkModule[] = [];

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
