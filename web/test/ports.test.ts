import { describe, expect, it } from 'vitest';
import { PORT_TYPES } from '../src/api/types';
import { compatible, PORT_COLOURS, portColour } from '../src/graph/ports';

describe('port types', () => {
  it('connect when the types are the same', () => {
    for (const t of PORT_TYPES) expect(compatible(t, t)).toBe(true);
  });

  it('connect anything to or from any', () => {
    for (const t of PORT_TYPES) {
      expect(compatible('any', t)).toBe(true);
      expect(compatible(t, 'any')).toBe(true);
    }
  });

  it('refuse different concrete types', () => {
    expect(compatible('image', 'text')).toBe(false);
    expect(compatible('text', 'number')).toBe(false);
    expect(compatible('video', 'audio')).toBe(false);
  });

  it('have one distinct colour each', () => {
    const colours = PORT_TYPES.map((t) => PORT_COLOURS[t]);
    expect(new Set(colours).size).toBe(PORT_TYPES.length);
    expect(portColour('nonsense')).toBe(PORT_COLOURS.any);
  });
});
