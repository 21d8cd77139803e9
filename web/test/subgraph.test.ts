import { describe, expect, it } from 'vitest';
import { makeEdge, makeNode } from '../src/graph/model';
import { emptyNode } from '../src/graph/runState';
import { extractSubgraph, runNodeId, specOf, subgraphKey, subgraphRun, subgraphSpec } from '../src/graph/subgraph';
import { CATALOG } from './fixtures';

const BASE = {
  type: 'graph.template', title: 'Subgraph', category: 'graph', description: '', params: {}, inputs: [], outputs: [],
  cacheable: false, cacheable_when: null, mapped_over: null, long: false,
};

describe('subgraphs', () => {
  it('gives a subgraph node its template ports, by template and version', () => {
    const data = { type: 'graph.template', params: { template: 'g_1', version: 2 } };
    expect(subgraphKey(data)).toBe('graph.template#g_1#2');
    expect(subgraphKey({ type: 'graph.template', params: {} })).toBeNull();
    const spec = subgraphSpec(BASE, {
      id: 'g_1', name: 'greet', version: 2, graph: { version: 1, nodes: [], edges: [] }, created_at: '', updated_at: '',
      inputs: [{ name: 'who', type: 'text', default: 'world' }], outputs: [{ name: 'sentence', type: 'text' }], webhook: null,
    });
    expect(spec.inputs).toEqual([{ name: 'who', type: 'text', required: false, multiple: false, description: '' }]);
    expect(specOf({ ...CATALOG, 'graph.template': BASE, [subgraphKey(data)!]: spec }, data)?.outputs[0].name).toBe('sentence');
  });

  it('turns a selection into a template: an input per outside source, an output per inside source read outside', () => {
    const nodes = [
      makeNode('a', 'input.text', { x: 0, y: 0 }),
      makeNode('b', 'input.text', { x: 0, y: 200 }),
      { ...makeNode('j', 'text.join', { x: 300, y: 100 }, { separator: ', ' }), selected: true },
      makeNode('k', 'text.join', { x: 600, y: 100 }),
      makeNode('m', 'text.join', { x: 600, y: 300 }),
    ];
    const edges = [makeEdge('a', 'text', 'j', 'parts'), makeEdge('b', 'text', 'j', 'parts'), makeEdge('j', 'text', 'k', 'parts'), makeEdge('j', 'text', 'm', 'parts')];
    const x = extractSubgraph(nodes, edges, CATALOG, 'part');
    if ('error' in x) throw new Error(x.error);
    expect(x.template.nodes.map((n) => [n.id, n.type])).toEqual([
      ['j', 'text.join'], ['a_text', 'input.text'], ['b_text', 'input.text'], ['j_text', 'output.text'],
    ]);
    expect(x.template.edges).toEqual([
      { from: 'a_text.text', to: 'j.parts' }, { from: 'b_text.text', to: 'j.parts' }, { from: 'j.text', to: 'j_text.value' },
    ]);
    expect(x.inputs).toEqual([['a.text', 'a_text'], ['b.text', 'b_text']]);
    expect(x.outputs).toEqual([['j_text', 'k.parts'], ['j_text', 'm.parts']]);
    expect(extractSubgraph(nodes.map((n) => ({ ...n, selected: false })), edges, CATALOG, 'p')).toEqual({ error: expect.stringMatching(/select/) });
  });

  it('shows inner nodes of the run inside the subgraph, and sums them up outside', () => {
    expect(runNodeId('', '', 'j')).toBe('j');
    expect(runNodeId('sub/', '', 'j')).toBe('sub/j');
    expect(runNodeId('sub/', 'sub/', 'j')).toBe('j');
    expect(runNodeId('', 'sub/', 'j')).toBeNull();
    const nodes = { 'sub/a': emptyNode('succeeded'), 'sub/b': emptyNode('running'), other: emptyNode('failed') };
    expect(subgraphRun(nodes, 'sub')?.status).toBe('running');
    expect(subgraphRun({ 'sub/a': emptyNode('succeeded') }, 'sub')?.status).toBe('succeeded');
    expect(subgraphRun(nodes, 'nope')).toBeUndefined();
  });
});
