import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/config.js';

const ENV_EXAMPLE = new URL('../../.env.example', import.meta.url);

/** `NAME=value`, commented out or not: the file shows every setting with its default, all commented. */
const SETTING_LINE = /^#?\s*([A-Z][A-Z0-9_]*)=/;

function documentedSettings(): { name: string; described: boolean }[] {
  const lines = fs.readFileSync(ENV_EXAMPLE, 'utf8').split('\n');
  return lines.flatMap((line, index) => {
    const name = SETTING_LINE.exec(line)?.[1];
    if (!name) return [];
    const previous = lines[index - 1] ?? '';
    return [{ name, described: previous.startsWith('#') && !SETTING_LINE.test(previous) && previous.length > 2 }];
  });
}

describe('.env.example', () => {
  it('documents exactly the settings the config schema reads, once each', () => {
    const names = documentedSettings().map((setting) => setting.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('describes each setting on the line above it', () => {
    const undescribed = documentedSettings().filter((setting) => !setting.described);
    expect(undescribed).toEqual([]);
  });
});
