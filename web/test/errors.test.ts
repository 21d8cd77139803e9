import { describe, expect, it } from 'vitest';
import { paramErrors, placeErrors, portErrors } from '../src/graph/errors';

describe('placing validation errors', () => {
  const errors = [
    { code: 'type_mismatch', node: 'prompt', port: 'parts', edge: 1, message: 'prompt.parts takes text' },
    { code: 'invalid_param', node: 'image', param: 'width', message: 'width: at most 2048' },
    { code: 'unknown_node', edge: 0, message: 'edge 0 names ghost' },
    { code: 'cycle', nodes: ['a', 'b'], message: 'a -> b -> a' },
    { code: 'unknown_input', input: 'colour', message: 'no input colour' },
  ];
  const placed = placeErrors(errors, ['e0', 'e1']);

  it('puts errors on the nodes they name', () => {
    expect(placed.byNode.prompt.map((e) => e.code)).toEqual(['type_mismatch']);
    expect(placed.byNode.image.map((e) => e.code)).toEqual(['invalid_param']);
    expect(placed.byNode.a[0].code).toBe('cycle');
    expect(placed.byNode.b[0].code).toBe('cycle');
  });

  it('puts edge errors on the edge at that index', () => {
    expect(placed.byEdge.e0[0].code).toBe('unknown_node');
    expect(placed.byEdge.e1[0].code).toBe('type_mismatch');
  });

  it('keeps errors that name no node or edge apart', () => {
    expect(placed.general.map((e) => e.code)).toEqual(['unknown_input']);
  });

  it('finds the errors of one port or param', () => {
    expect(portErrors(placed.byNode.prompt, 'parts')).toHaveLength(1);
    expect(portErrors(placed.byNode.prompt, 'other')).toHaveLength(0);
    expect(paramErrors(placed.byNode.image, 'width')).toHaveLength(1);
  });
});
