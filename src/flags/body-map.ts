import type { Translate } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/vi.js';

/**
 * The body map on a teacher's flag: a fixed list of named regions on a front and a back view. The
 * list is the single source for drawing the map, for the no-JavaScript checkbox list and for
 * validating what a form sends, so a stored region id always names something the map can show.
 */

export type BodyView = 'front' | 'back';

export type RegionShape =
  | { kind: 'rect'; x: number; y: number; width: number; height: number; rx: number }
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number }
  | { kind: 'path'; d: string };

export interface BodyRegion {
  id: string;
  view: BodyView;
  shape: RegionShape;
}

export interface BodyMark {
  region: string;
  note: string;
}

export const BODY_VIEWS: readonly BodyView[] = ['front', 'back'];
/** Each view is drawn in this box; shapes are in its coordinates. */
export const BODY_VIEWBOX = { width: 200, height: 390 } as const;
export const BODY_NOTE_MAX_LENGTH = 200;

const rect = (x: number, y: number, width: number, height: number, rx = 6): RegionShape => ({ kind: 'rect', x, y, width, height, rx });
const ellipse = (cx: number, cy: number, rx: number, ry: number): RegionShape => ({ kind: 'ellipse', cx, cy, rx, ry });

function mirror(shape: RegionShape): RegionShape {
  const width = BODY_VIEWBOX.width;
  if (shape.kind === 'rect') return { ...shape, x: width - shape.x - shape.width };
  if (shape.kind === 'ellipse') return { ...shape, cx: width - shape.cx };
  throw new Error('paths are not mirrored');
}

/**
 * A left/right pair, drawn on the viewer's left first. Sides are the child's own: on the front view
 * the child faces the viewer, so their right is on the viewer's left; on the back view it is the
 * other way round.
 */
function pair(view: BodyView, part: string, viewerLeft: RegionShape): BodyRegion[] {
  const [first, second] = view === 'front' ? ['right', 'left'] : ['left', 'right'];
  return [
    { id: `${view}_${part}_${first}`, view, shape: viewerLeft },
    { id: `${view}_${part}_${second}`, view, shape: mirror(viewerLeft) },
  ];
}

const one = (view: BodyView, part: string, shape: RegionShape): BodyRegion => ({ id: `${view}_${part}`, view, shape });

/** Top to bottom, so the checkbox list reads in the order a person looks at a body. */
export const BODY_REGIONS: readonly BodyRegion[] = [
  one('front', 'head', { kind: 'path', d: 'M78 30 A22 26 0 0 1 122 30 Z' }),
  one('front', 'face', { kind: 'path', d: 'M78 30 A22 26 0 0 0 122 30 Z' }),
  one('front', 'neck', rect(91, 57, 18, 10, 3)),
  ...pair('front', 'shoulder', rect(52, 68, 21, 20, 8)),
  one('front', 'chest', rect(75, 68, 50, 48, 4)),
  ...pair('front', 'upper_arm', rect(50, 90, 20, 58, 8)),
  one('front', 'abdomen', rect(75, 118, 50, 42, 4)),
  ...pair('front', 'forearm', rect(46, 150, 20, 58, 8)),
  one('front', 'genitals', rect(77, 162, 46, 24, 6)),
  ...pair('front', 'hand', ellipse(55, 222, 11, 13)),
  ...pair('front', 'thigh', rect(76, 188, 23, 74, 8)),
  ...pair('front', 'knee', rect(78, 264, 20, 20, 8)),
  ...pair('front', 'lower_leg', rect(79, 286, 18, 66, 7)),
  ...pair('front', 'foot', ellipse(86, 364, 13, 9)),

  one('back', 'head', ellipse(100, 30, 22, 26)),
  one('back', 'neck', rect(91, 57, 18, 10, 3)),
  ...pair('back', 'shoulder', rect(52, 68, 21, 20, 8)),
  one('back', 'upper_back', rect(75, 68, 50, 56, 4)),
  ...pair('back', 'upper_arm', rect(50, 90, 20, 58, 8)),
  one('back', 'lower_back', rect(75, 126, 50, 34, 4)),
  ...pair('back', 'forearm', rect(46, 150, 20, 58, 8)),
  one('back', 'buttocks', rect(77, 162, 46, 30, 10)),
  ...pair('back', 'hand', ellipse(55, 222, 11, 13)),
  ...pair('back', 'thigh', rect(76, 194, 23, 68, 8)),
  ...pair('back', 'knee', rect(78, 264, 20, 20, 8)),
  ...pair('back', 'calf', rect(79, 286, 18, 66, 7)),
  ...pair('back', 'heel', ellipse(86, 364, 13, 9)),
];

const REGION_IDS: ReadonlySet<string> = new Set(BODY_REGIONS.map((region) => region.id));

export function isBodyRegion(id: string): boolean {
  return REGION_IDS.has(id);
}

/** A region's name in the reader's language; test/unit/body-map.test.ts checks every region has one. */
export function bodyRegionLabel(t: Translate, regionId: string): string {
  return t(`bodyRegion.${regionId}` as MessageKey);
}

/** The form field holding a region's note; region ids are [a-z_] only, so the name is always safe. */
export function bodyNoteField(regionId: string): string {
  return `body_note_${regionId}`;
}

export type BodyMapProblem = 'unknown_region' | 'note_too_long';

/**
 * Reads the marks from a submitted form: `body_region` (one or many checked region ids) and a
 * `body_note_<region>` per region. Notes of unmarked regions are ignored; marks come back in the
 * map's order, so the same marks always store the same JSON.
 */
export function bodyMapFromForm(body: Record<string, unknown>): { ok: true; marks: BodyMark[] } | { ok: false; problem: BodyMapProblem } {
  const raw = body.body_region;
  const checked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  if (checked.some((id) => !isBodyRegion(id))) return { ok: false, problem: 'unknown_region' };
  const marked = new Set(checked);
  const marks: BodyMark[] = [];
  for (const region of BODY_REGIONS) {
    if (!marked.has(region.id)) continue;
    const note = body[bodyNoteField(region.id)];
    const text = typeof note === 'string' ? note.trim() : '';
    if (text.length > BODY_NOTE_MAX_LENGTH) return { ok: false, problem: 'note_too_long' };
    marks.push({ region: region.id, note: text });
  }
  return { ok: true, marks };
}
