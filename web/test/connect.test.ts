import { describe, expect, it } from 'vitest';
import { checkConnection, connect } from '../src/graph/connect';
import { makeEdge, makeNode } from '../src/graph/model';
import { CATALOG } from './fixtures';

const nodes = [
  makeNode('a', 'input.text', { x: 0, y: 0 }),
  makeNode('b', 'input.text', { x: 0, y: 100 }),
  makeNode('img', 'input.image', { x: 0, y: 200 }),
  makeNode('join', 'text.join', { x: 300, y: 0 }),
  makeNode('gen', 'image.generate', { x: 600, y: 0 }),
  makeNode('wait', 'flow.wait', { x: 600, y: 200 }),
];
const conn = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ source, sourceHandle, target, targetHandle });

describe('checkConnection', () => {
  it('accepts matching types', () => {
    expect(checkConnection(conn('a', 'text', 'gen', 'prompt'), nodes, CATALOG).ok).toBe(true);
  });

  it('refuses mismatched types, saying why', () => {
    const r = checkConnection(conn('img', 'image', 'gen', 'prompt'), nodes, CATALOG);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('takes text');
  });

  it('accepts any on either end', () => {
    expect(checkConnection(conn('img', 'image', 'wait', 'value'), nodes, CATALOG).ok).toBe(true);
    expect(checkConnection(conn('wait', 'value', 'gen', 'prompt'), nodes, CATALOG).ok).toBe(true);
  });

  it('refuses unknown ports and self loops', () => {
    expect(checkConnection(conn('a', 'nope', 'gen', 'prompt'), nodes, CATALOG).ok).toBe(false);
    expect(checkConnection(conn('a', 'text', 'gen', 'nope'), nodes, CATALOG).ok).toBe(false);
    expect(checkConnection(conn('wait', 'value', 'wait', 'value'), nodes, CATALOG).ok).toBe(false);
  });
});

describe('connect', () => {
  it('adds a valid edge', () => {
    const edges = connect([], conn('a', 'text', 'gen', 'prompt'), nodes, CATALOG);
    expect(edges).toEqual([makeEdge('a', 'text', 'gen', 'prompt')]);
  });

  it('leaves the edges alone for an invalid connection', () => {
    const before = [makeEdge('a', 'text', 'join', 'parts')];
    expect(connect(before, conn('img', 'image', 'gen', 'prompt'), nodes, CATALOG)).toBe(before);
  });

  it('replaces the edge into an input that is not multiple', () => {
    const first = connect([], conn('a', 'text', 'gen', 'prompt'), nodes, CATALOG);
    const second = connect(first, conn('b', 'text', 'gen', 'prompt'), nodes, CATALOG);
    expect(second).toEqual([makeEdge('b', 'text', 'gen', 'prompt')]);
  });

  it('keeps every edge into a multiple input, in order', () => {
    let edges = connect([], conn('a', 'text', 'join', 'parts'), nodes, CATALOG);
    edges = connect(edges, conn('b', 'text', 'join', 'parts'), nodes, CATALOG);
    expect(edges.map((e) => e.source)).toEqual(['a', 'b']);
  });

  it('does not add the same edge twice', () => {
    const once = connect([], conn('a', 'text', 'join', 'parts'), nodes, CATALOG);
    expect(connect(once, conn('a', 'text', 'join', 'parts'), nodes, CATALOG)).toBe(once);
  });

  it('replacing one input keeps edges into other inputs', () => {
    let edges = connect([], conn('a', 'text', 'join', 'parts'), nodes, CATALOG);
    edges = connect(edges, conn('a', 'text', 'gen', 'prompt'), nodes, CATALOG);
    edges = connect(edges, conn('join', 'text', 'gen', 'prompt'), nodes, CATALOG);
    expect(edges.map((e) => e.id)).toEqual([makeEdge('a', 'text', 'join', 'parts').id, makeEdge('join', 'text', 'gen', 'prompt').id]);
  });
});
