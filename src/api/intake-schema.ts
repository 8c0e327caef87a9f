import { SEXES } from '../children/schema.js';
import { intakes } from '../intake/schema.js';

/** A pattern that only says "not just blanks"; the error formatter recognises it to say so. */
export const NOT_BLANK = '\\S';
const PHONE = '^[0-9+() .-]*$';

const MEDIA = intakes.medium.enumValues;

/** Optional fields also accept null: many clients serialise a missing value that way. */
const optionalText = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;
const requiredText = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: NOT_BLANK }) as const;
const communeId = { type: ['integer', 'null'], minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

/**
 * `POST /api/v1/intakes`: Mẫu 01 as JSON. Strict on purpose: unknown fields, wrong types and
 * over-long texts are refused rather than dropped or coerced, so a client's mistake is seen at once.
 * Categories are checked against the active taxonomy by the handler, since administrators edit it.
 */
export const intakeBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['medium', 'child', 'description', 'immediateDanger', 'categories', 'reporter'],
  properties: {
    receivedAt: { type: 'string', format: 'date-time', maxLength: 40 },
    medium: { type: 'string', enum: MEDIA },
    child: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: requiredText(200),
        birthDate: { type: ['string', 'null'], format: 'date' },
        estimatedAge: { type: ['integer', 'null'], minimum: 0, maximum: 17 },
        sex: { type: ['string', 'null'], enum: [...SEXES, null] },
      },
    },
    residenceCommuneId: communeId,
    incidentCommuneId: communeId,
    incidentPlace: optionalText(500),
    description: requiredText(10_000),
    currentCondition: optionalText(4_000),
    likelyConsequence: optionalText(4_000),
    actionTaken: optionalText(4_000),
    parentsInfo: optionalText(2_000),
    familySituation: optionalText(4_000),
    caregiver: optionalText(500),
    immediateDanger: { type: 'boolean' },
    categories: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 64 } },
    reporter: {
      type: 'object',
      additionalProperties: false,
      required: ['consented'],
      properties: {
        consented: { type: 'boolean' },
        relation: optionalText(100),
        name: optionalText(200),
        phone: { type: ['string', 'null'], maxLength: 32, pattern: PHONE },
        address: optionalText(500),
      },
    },
  },
} as const;

type Sex = (typeof SEXES)[number];

/** The body once the schema accepted it. */
export interface IntakeBody {
  receivedAt?: string;
  medium: (typeof MEDIA)[number];
  child: { name: string; birthDate?: string | null; estimatedAge?: number | null; sex?: Sex | null };
  residenceCommuneId?: number | null;
  incidentCommuneId?: number | null;
  incidentPlace?: string | null;
  description: string;
  currentCondition?: string | null;
  likelyConsequence?: string | null;
  actionTaken?: string | null;
  parentsInfo?: string | null;
  familySituation?: string | null;
  caregiver?: string | null;
  immediateDanger: boolean;
  categories: string[];
  reporter: { consented: boolean; relation?: string | null; name?: string | null; phone?: string | null; address?: string | null };
}
