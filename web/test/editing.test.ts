import { describe, expect, it } from 'vitest';
import { copySelection, pasteClip } from '../src/graph/clipboard';
import { emptyHistory, record, redo, undo, MERGE_WINDOW_MS } from '../src/graph/history';
import { isValidNodeId, newNodeId } from '../src/graph/ids';
import { makeEdge, makeNode } from '../src/graph/model';
import { groupCatalog } from '../src/graph/catalog';
import { SPECS } from './fixtures';

describe('node ids', () => {
  it('derive from the type and avoid taken ids', () => {
    expect(newNodeId('image.generate', [])).toBe('generate_1');
    expect(newNodeId('image.generate', ['generate_1'])).toBe('generate_2');
    expect(isValidNodeId(newNodeId('weird.ty pe!', []))).toBe(true);
  });

  it('follow the contract rule', () => {
    expect(isValidNodeId('a-b_C9')).toBe(true);
    expect(isValidNodeId('')).toBe(false);
    expect(isValidNodeId('a.b')).toBe(false);
    expect(isValidNodeId('x'.repeat(65))).toBe(false);
  });
});

describe('undo history', () => {
  it('undoes and redoes', () => {
    let h = emptyHistory<number>();
    h = record(h, 1, null, 0);
    h = record(h, 2, null, 1);
    const u = undo(h, 3)!;
    expect(u.state).toBe(2);
    const u2 = undo(u.history, 2)!;
    expect(u2.state).toBe(1);
    const r = redo(u2.history, 1)!;
    expect(r.state).toBe(2);
    expect(undo(emptyHistory<number>(), 0)).toBeNull();
  });

  it('merges quick edits of the same key', () => {
    let h = emptyHistory<string>();
    h = record(h, 'a', 'param:x', 0);
    h = record(h, 'ab', 'param:x', 100);
    expect(h.past).toEqual(['a']);
    h = record(h, 'abc', 'param:x', 100 + MERGE_WINDOW_MS + 1);
    expect(h.past).toEqual(['a', 'abc']);
  });

  it('drops the redo stack on a new change', () => {
    let h = record(emptyHistory<number>(), 1, null, 0);
    h = undo(h, 2)!.history;
    expect(h.future).toEqual([2]);
    expect(record(h, 1, null, 5).future).toEqual([]);
  });
});

describe('copy and paste', () => {
  const nodes = [
    { ...makeNode('a', 'input.text', { x: 0, y: 0 }, { default: 'x' }), selected: true },
    { ...makeNode('b', 'text.join', { x: 100, y: 0 }), selected: true },
    makeNode('c', 'text.join', { x: 200, y: 0 }),
  ];
  const edges = [makeEdge('a', 'text', 'b', 'parts'), makeEdge('b', 'text', 'c', 'parts')];

  it('copies the selection with the edges inside it', () => {
    const clip = copySelection(nodes, edges)!;
    expect(clip.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(clip.edges.map((e) => e.id)).toEqual([edges[0].id]);
    expect(copySelection(nodes.map((n) => ({ ...n, selected: false })), edges)).toBeNull();
  });

  it('pastes with fresh ids, moved, edges rewired', () => {
    const clip = copySelection(nodes, edges)!;
    const pasted = pasteClip(clip, ['a', 'b', 'c'], { x: 40, y: 40 });
    expect(pasted.nodes.map((n) => n.id)).toEqual(['text_1', 'join_1']);
    expect(pasted.nodes[0].position).toEqual({ x: 40, y: 40 });
    expect(pasted.nodes[0].data.params).toEqual({ default: 'x' });
    expect(pasted.nodes[0].data.params).not.toBe(nodes[0].data.params);
    expect(pasted.edges).toEqual([makeEdge('text_1', 'text', 'join_1', 'parts')]);
  });
});

describe('palette search', () => {
  it('groups by category and filters by words', () => {
    expect(groupCatalog(SPECS, '').map(([c]) => c)).toEqual(['flow', 'image', 'input', 'text']);
    const hits = groupCatalog(SPECS, 'join');
    expect(hits).toHaveLength(1);
    expect(hits[0][1][0].type).toBe('text.join');
    expect(groupCatalog(SPECS, 'image input').flatMap(([, l]) => l.map((s) => s.type))).toEqual(['input.image']);
  });
});
