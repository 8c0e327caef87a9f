import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { cases } from '../cases/schema.js';
import { organisations } from '../orgs/schema.js';
import { users } from '../users/schema.js';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const RISK_LEVELS = ['high', 'medium', 'low'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Mẫu 02 (initial risk), Mẫu 03 (detailed assessment) and Mẫu 06 (review) each rate risk items Cao / Trung bình / Thấp. */
export const assessments = sqliteTable(
  'assessments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    kind: text('kind', { enum: ['initial', 'detailed', 'review'] }).notNull(),
    /** [{ item, rating, note }] with items from the form's fixed list. */
    items: text('items', { mode: 'json' }).$type<{ item: string; rating: RiskLevel; note: string }[]>().notNull(),
    overallRisk: text('overall_risk', { enum: RISK_LEVELS }).notNull(),
    summary: text('summary'),
    needs: text('needs'),
    /** For a review: close the case or plan again. */
    outcome: text('outcome', { enum: ['close', 'replan'] }),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('assessments_case_idx').on(t.caseId, t.createdAt)],
);

/** The needs meeting of the detailed assessment (Art. 27), with its minutes. */
export const needsMeetings = sqliteTable(
  'needs_meetings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    heldAt: text('held_at').notNull(),
    participants: text('participants').notNull(),
    minutes: text('minutes').notNull(),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('needs_meetings_case_idx').on(t.caseId)],
);

export const PLAN_STATUSES = ['draft', 'submitted', 'approved', 'rejected'] as const;

/** Mẫu 04, versioned: a rejected or revised plan is a new version and earlier ones stay readable. */
export const plans = sqliteTable(
  'plans',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    version: integer('version').notNull(),
    goals: text('goals').notNull(),
    status: text('status', { enum: PLAN_STATUSES }).notNull().default('draft'),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
    submittedAt: text('submitted_at'),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: text('decided_at'),
    /** The chairperson's decision number (Mẫu 05) or the rejection comment. */
    decisionNumber: text('decision_number'),
    decisionComment: text('decision_comment'),
  },
  (t) => [uniqueIndex('plans_case_version_unique').on(t.caseId, t.version)],
);

export const planMeasures = sqliteTable(
  'plan_measures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: integer('plan_id').notNull().references(() => plans.id),
    /** From the legal list: medical care, psychological support, safe shelter, temporary separation, … */
    kind: text('kind').notNull(),
    description: text('description').notNull(),
    responsibleOrgId: integer('responsible_org_id').references(() => organisations.id),
    responsiblePerson: text('responsible_person'),
    startsOn: text('starts_on'),
    endsOn: text('ends_on'),
  },
  (t) => [index('plan_measures_plan_idx').on(t.planId)],
);

/** Emergency measures or temporary separation (Art. 31–32, decision Mẫu 07). */
export const emergencyMeasures = sqliteTable(
  'emergency_measures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    takenAt: text('taken_at').notNull(),
    measures: text('measures').notNull(),
    temporarySeparation: integer('temporary_separation', { mode: 'boolean' }).notNull().default(false),
    placeOfCare: text('place_of_care'),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('emergency_measures_case_idx').on(t.caseId)],
);

export const REFERRAL_STATUSES = ['pending', 'accepted', 'declined'] as const;

/** A referral to a social work centre or another service organisation. */
export const referrals = sqliteTable(
  'referrals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    toOrgId: integer('to_org_id').notNull().references(() => organisations.id),
    reason: text('reason').notNull(),
    /** Who consented: the child, the guardian, both; or 'none' with a supervisor's audited override. */
    consent: text('consent', { enum: ['child', 'guardian', 'both', 'none'] }).notNull(),
    overrideReason: text('override_reason'),
    overriddenBy: integer('overridden_by').references(() => users.id),
    status: text('status', { enum: REFERRAL_STATUSES }).notNull().default('pending'),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: text('decided_at'),
    declineReason: text('decline_reason'),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('referrals_case_idx').on(t.caseId), index('referrals_to_org_status_idx').on(t.toOrgId, t.status)],
);

export const services = sqliteTable(
  'services',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    referralId: integer('referral_id').references(() => referrals.id),
    providerOrgId: integer('provider_org_id').references(() => organisations.id),
    kind: text('kind').notNull(),
    description: text('description').notNull(),
    dueOn: text('due_on').notNull(),
    implementedOn: text('implemented_on'),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('services_case_due_idx').on(t.caseId, t.implementedOn, t.dueOn), index('services_due_idx').on(t.implementedOn, t.dueOn)],
);

export const followUps = sqliteTable(
  'follow_ups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    dueOn: text('due_on').notNull(),
    visitedOn: text('visited_on'),
    notes: text('notes'),
    assignedUserId: integer('assigned_user_id').references(() => users.id),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('follow_ups_case_due_idx').on(t.caseId, t.visitedOn, t.dueOn), index('follow_ups_due_idx').on(t.visitedOn, t.dueOn)],
);

/** Who was responsible when: assignments end, never disappear. */
export const caseAssignments = sqliteTable(
  'case_assignments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    userId: integer('user_id').notNull().references(() => users.id),
    assignedBy: integer('assigned_by').references(() => users.id),
    startedAt: text('started_at').notNull(),
    endedAt: text('ended_at'),
  },
  (t) => [index('case_assignments_case_idx').on(t.caseId, t.startedAt)],
);

export const caseNotes = sqliteTable(
  'case_notes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    text: text('text').notNull(),
    /** Confidential notes are for the assigned worker and supervisors only. */
    confidential: integer('confidential', { mode: 'boolean' }).notNull().default(false),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('case_notes_case_idx').on(t.caseId)],
);

export const documents = sqliteTable(
  'documents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    /** Random file name under DATA_DIR/documents; never the uploaded name. */
    storedName: text('stored_name').notNull(),
    originalName: text('original_name').notNull(),
    mimeType: text('mime_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    uploadedBy: integer('uploaded_by').notNull().references(() => users.id),
    uploadedAt: text('uploaded_at').notNull().default(now),
  },
  (t) => [index('documents_case_idx').on(t.caseId), uniqueIndex('documents_stored_name_unique').on(t.storedName)],
);

/** Field-level change history that supervisors can read: who changed what, from what, to what. */
export const fieldChanges = sqliteTable(
  'field_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    at: text('at').notNull(),
    userId: integer('user_id').references(() => users.id),
    entity: text('entity').notNull(),
    field: text('field').notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
  },
  (t) => [index('field_changes_case_idx').on(t.caseId, t.at)],
);

/** In-app alerts; `dedupeKey` makes each alert (e.g. "case 12 overdue") happen once, across restarts. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull().references(() => users.id),
    kind: text('kind').notNull(),
    caseId: integer('case_id').references(() => cases.id),
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: text('created_at').notNull().default(now),
    readAt: text('read_at'),
    emailedAt: text('emailed_at'),
  },
  (t) => [uniqueIndex('notifications_dedupe_unique').on(t.userId, t.dedupeKey), index('notifications_user_idx').on(t.userId, t.readAt, t.createdAt)],
);
