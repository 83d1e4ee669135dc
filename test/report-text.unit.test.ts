import { describe, expect, it } from 'vitest';
import { decisionBody, text } from '../events/incident/report.ts';

describe('text fields', () => {
  it('refuses a hidden control character wherever it stands, even where trimming would cut it', () => {
    const note = text(100);
    for (const bad of ['x\u000b', '\u000bx', 'a\u0000b', 'x\u202e', '\u2066x']) {
      expect(note.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(decisionBody().safeParse({ decision: 'approve', note: 'x\u000b' }).success).toBe(false);
  });

  it('keeps Japanese, full-width digits and combining marks, and trims plain spaces and line breaks', () => {
    const note = text(100);
    expect(note.parse('  確認しました１２３ e\u0301\n')).toBe('確認しました１２３ e\u0301');
    expect(note.parse('line one\nline two\ttabbed')).toBe('line one\nline two\ttabbed');
  });
});
