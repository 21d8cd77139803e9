import { describe, expect, it } from 'vitest';
import { nodeForDrop, readDrag } from '../src/library/drag';

describe('dropping library things on the canvas', () => {
  it('makes the input node of an asset of its kind, with the asset as its default', () => {
    expect(nodeForDrop({ what: 'asset', id: 'a_1', kind: 'video', name: 'clip.mp4' })).toEqual({
      type: 'input.video',
      params: { default: 'a_1' },
    });
    expect(nodeForDrop({ what: 'asset', id: 'a_2', kind: 'other', name: 'w.safetensors' })).toBeNull();
  });

  it('makes input.collection and input.hooks nodes', () => {
    expect(nodeForDrop({ what: 'collection', id: 'c_1' })).toEqual({ type: 'input.collection', params: { collection: 'c_1' } });
    expect(nodeForDrop({ what: 'hooks', category: 'openers' })).toEqual({ type: 'input.hooks', params: { category: 'openers' } });
  });

  it('ignores what is not a library drag', () => {
    expect(readDrag('')).toBeNull();
    expect(readDrag('not json')).toBeNull();
    expect(readDrag('{"x": 1}')).toBeNull();
    expect(nodeForDrop(readDrag('{"what": "collection", "id": "c_9"}'))?.type).toBe('input.collection');
  });
});
