import { describe, expect, it } from 'vitest';
import { BODY_NOTE_MAX_LENGTH, BODY_REGIONS, BODY_VIEWBOX, BODY_VIEWS, bodyMapFromForm, isBodyRegion } from '../../src/flags/body-map.js';
import { givenName } from '../../src/flags/repository.js';
import { coarseStatus } from '../../src/flags/status.js';
import { en } from '../../src/i18n/en.js';
import { vi } from '../../src/i18n/vi.js';

describe('body map regions', () => {
  it('has about twenty uniquely named regions on each view, with ids safe in HTML names and selectors', () => {
    const ids = BODY_REGIONS.map((region) => region.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const view of BODY_VIEWS) {
      const count = BODY_REGIONS.filter((region) => region.view === view).length;
      expect(count, view).toBeGreaterThanOrEqual(20);
      expect(count, view).toBeLessThanOrEqual(24);
    }
    expect(ids.filter((id) => !/^(front|back)_[a-z_]+$/.test(id))).toEqual([]);
  });

  it('names every region in both languages', () => {
    const missing = BODY_REGIONS.map((region) => `bodyRegion.${region.id}`).filter((key) => !Object.hasOwn(vi, key) || !Object.hasOwn(en, key));
    expect(missing).toEqual([]);
  });

  it('draws every rectangle and ellipse inside the view box', () => {
    for (const { id, shape } of BODY_REGIONS) {
      if (shape.kind === 'rect') {
        expect(shape.x >= 0 && shape.y >= 0 && shape.x + shape.width <= BODY_VIEWBOX.width && shape.y + shape.height <= BODY_VIEWBOX.height, id).toBe(true);
      } else if (shape.kind === 'ellipse') {
        expect(shape.cx - shape.rx >= 0 && shape.cx + shape.rx <= BODY_VIEWBOX.width && shape.cy + shape.ry <= BODY_VIEWBOX.height, id).toBe(true);
      }
    }
  });

  it("puts the child's right on the viewer's left from the front, and on the viewer's right from the back", () => {
    const centreX = (id: string): number => {
      const shape = BODY_REGIONS.find((region) => region.id === id)?.shape;
      if (shape?.kind === 'rect') return shape.x + shape.width / 2;
      if (shape?.kind === 'ellipse') return shape.cx;
      throw new Error(id);
    };
    expect(centreX('front_hand_right')).toBeLessThan(BODY_VIEWBOX.width / 2);
    expect(centreX('front_hand_left')).toBeGreaterThan(BODY_VIEWBOX.width / 2);
    expect(centreX('back_hand_right')).toBeGreaterThan(BODY_VIEWBOX.width / 2);
    expect(centreX('back_hand_left')).toBeLessThan(BODY_VIEWBOX.width / 2);
  });

  it('knows its own regions only', () => {
    expect(isBodyRegion('front_face')).toBe(true);
    expect(isBodyRegion('front_tail')).toBe(false);
    expect(isBodyRegion('__proto__')).toBe(false);
  });
});

describe('reading marks from a form', () => {
  it('reads one or many ticked regions with their trimmed notes, in the map order, ignoring notes of unticked regions', () => {
    const result = bodyMapFromForm({
      body_region: ['back_buttocks', 'front_face'],
      body_note_front_face: '  vết bầm dưới mắt trái ',
      body_note_back_buttocks: '',
      body_note_front_chest: 'not ticked',
    });
    expect(result).toEqual({
      ok: true,
      marks: [
        { region: 'front_face', note: 'vết bầm dưới mắt trái' },
        { region: 'back_buttocks', note: '' },
      ],
    });
    expect(bodyMapFromForm({ body_region: 'front_neck' })).toEqual({ ok: true, marks: [{ region: 'front_neck', note: '' }] });
    expect(bodyMapFromForm({})).toEqual({ ok: true, marks: [] });
  });

  it('refuses unknown regions and over-long notes', () => {
    expect(bodyMapFromForm({ body_region: ['front_face', 'elsewhere'] })).toEqual({ ok: false, problem: 'unknown_region' });
    expect(bodyMapFromForm({ body_region: 'front_face', body_note_front_face: 'x'.repeat(BODY_NOTE_MAX_LENGTH + 1) })).toEqual({
      ok: false,
      problem: 'note_too_long',
    });
  });
});

describe("what a teacher is told about a flag", () => {
  it('says received, in progress or closed, and nothing more', () => {
    expect(coarseStatus('new', null)).toBe('received');
    expect(coarseStatus('forwarded', 'intake')).toBe('received');
    expect(coarseStatus('forwarded', 'verification')).toBe('in_progress');
    expect(coarseStatus('forwarded', 'implementation')).toBe('in_progress');
    expect(coarseStatus('forwarded', 'closed')).toBe('closed');
    expect(coarseStatus('forwarded', 'merged')).toBe('closed');
    expect(coarseStatus('no_action', null)).toBe('closed');
  });

  it('names the pupil by the given name, which ends a Vietnamese name', () => {
    expect(givenName('Nguyễn Văn An')).toBe('An');
    expect(givenName('  Lý Thị Hồng   Nhung ')).toBe('Nhung');
    expect(givenName('Bé')).toBe('Bé');
  });
});
