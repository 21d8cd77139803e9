import { describe, expect, it } from 'vitest';
import { fileName, parseGraph } from '../src/graph/importGraph';

const graph = { version: 1, name: 'g', nodes: [{ id: 'a', type: 'input.text' }], edges: [] };

describe('importing a graph', () => {
  it('reads a graph document, and the graph inside a template or example', () => {
    expect(parseGraph(JSON.stringify(graph)).nodes[0].id).toBe('a');
    expect(parseGraph(JSON.stringify({ id: 'g_1', name: 't', graph })).name).toBe('g');
    expect(parseGraph(JSON.stringify({ version: 1, nodes: [] })).edges).toEqual([]);
  });

  it('says what is wrong with anything else', () => {
    expect(() => parseGraph('nope')).toThrow(/not a graph: the file is not JSON/);
    expect(() => parseGraph('[1]')).toThrow(/expected a JSON object/);
    expect(() => parseGraph('{"version": 2, "nodes": []}')).toThrow(/"version" must be 1, not 2/);
    expect(() => parseGraph('{"version": 1}')).toThrow(/"nodes" must be a list/);
    expect(() => parseGraph('{"version": 1, "nodes": [{"id": 3}]}')).toThrow(/nodes\[0\] needs a string "id"/);
    expect(() => parseGraph('{"version": 1, "nodes": [], "edges": [{"from": "a", "to": "b.c"}]}')).toThrow(/edges\[0\]/);
  });

  it('names the exported file after the graph', () => {
    expect(fileName('Short video!')).toBe('short-video.json');
    expect(fileName(undefined)).toBe('graph.json');
  });
});
