import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../src/api/types';
import { fromDocument, layout, splitEnd, toDocument } from '../src/graph/document';
import { makeEdge, makeNode } from '../src/graph/model';

const contractExample: GraphDocument = {
  version: 1,
  name: 'lighthouse postcard',
  nodes: [
    { id: 'subject', type: 'input.text', params: { name: 'subject', default: 'a lighthouse' } },
    { id: 'style', type: 'input.text', params: { name: 'style', default: 'oil painting' } },
    { id: 'prompt', type: 'text.join', params: { separator: ', ' } },
    { id: 'image', type: 'image.generate', params: { provider: 'local', width: 512, height: 512, seed: 7 } },
  ],
  edges: [
    { from: 'subject.text', to: 'prompt.parts' },
    { from: 'style.text', to: 'prompt.parts' },
    { from: 'prompt.text', to: 'image.prompt' },
  ],
  ui: { positions: { subject: [0, 0], style: [0, 200], prompt: [320, 100], image: [640, 100] }, viewport: { x: 10, y: 20, zoom: 0.8 } },
};

describe('graph document', () => {
  it('serializes nodes, edges in order, positions and viewport', () => {
    const doc = toDocument({
      name: 'demo',
      nodes: [makeNode('a', 'input.text', { x: 10.04, y: 20 }, { default: 'hi', name: undefined }), makeNode('j', 'text.join', { x: 300, y: 0 })],
      edges: [makeEdge('a', 'text', 'j', 'parts')],
      viewport: { x: 5, y: 6, zoom: 1.5 },
    });
    expect(doc).toEqual({
      version: 1,
      name: 'demo',
      nodes: [
        { id: 'a', type: 'input.text', params: { default: 'hi' } },
        { id: 'j', type: 'text.join', params: {} },
      ],
      edges: [{ from: 'a.text', to: 'j.parts' }],
      ui: { positions: { a: [10, 20], j: [300, 0] }, viewport: { x: 5, y: 6, zoom: 1.5 } },
    });
  });

  it('round-trips the contract example', () => {
    const back = toDocument(fromDocument(contractExample));
    expect(back).toEqual(contractExample);
  });

  it('keeps ui keys it does not know', () => {
    const doc = { ...contractExample, ui: { ...contractExample.ui, theme: { accent: 'red' } } };
    expect(toDocument(fromDocument(doc)).ui).toEqual(doc.ui);
  });

  it('lays out nodes without positions by depth', () => {
    const doc: GraphDocument = { ...contractExample, ui: undefined };
    const g = fromDocument(doc);
    const x = Object.fromEntries(g.nodes.map((n) => [n.id, n.position.x]));
    expect(x.subject).toBe(0);
    expect(x.style).toBe(0);
    expect(x.prompt).toBeGreaterThan(x.subject);
    expect(x.image).toBeGreaterThan(x.prompt);
    expect(g.viewport).toBeUndefined();
  });

  it('survives a cycle when laying out', () => {
    const pos = layout({ nodes: [{ id: 'a' }, { id: 'b' }], edges: [{ from: 'a.x', to: 'b.y' }, { from: 'b.x', to: 'a.y' }] });
    expect(Object.keys(pos)).toEqual(['a', 'b']);
  });

  it('ignores broken positions and viewports', () => {
    const g = fromDocument({ ...contractExample, ui: { positions: { subject: ['x', 1] as never }, viewport: { x: 1, y: 1, zoom: 0 } } });
    expect(g.nodes[0].position).toEqual({ x: 0, y: 0 });
    expect(g.viewport).toBeUndefined();
  });

  it('reads documents that leave out empty edges and params', () => {
    const g = fromDocument({ version: 1, nodes: [{ id: 'a', type: 'input.text' }] } as GraphDocument);
    expect(g.edges).toEqual([]);
    expect(g.nodes[0].data.params).toEqual({});
  });

  it('splits edge ends at the first dot', () => {
    expect(splitEnd('node.port')).toEqual(['node', 'port']);
    expect(splitEnd('node.port.sub')).toEqual(['node', 'port.sub']);
  });
});
