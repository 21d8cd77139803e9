// A small catalog in the shape of GET /api/nodes, for the unit tests.

import type { NodeSpec } from '../src/api/types';
import { indexCatalog } from '../src/graph/catalog';

const noParams = { type: 'object', properties: {}, required: [] };

export const SPECS: NodeSpec[] = [
  {
    type: 'input.text',
    title: 'Text input',
    category: 'input',
    description: 'The run input',
    cacheable: false,
    cacheable_when: null,
    mapped_over: null,
    long: false,
    params: {
      type: 'object',
      properties: {
        name: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null },
        default: { type: 'string', default: '' },
      },
      required: [],
    },
    inputs: [],
    outputs: [{ name: 'text', type: 'text', description: '' }],
  },
  {
    type: 'input.image',
    title: 'Image input',
    category: 'input',
    description: '',
    cacheable: false,
    cacheable_when: null,
    mapped_over: null,
    long: false,
    params: {
      type: 'object',
      properties: {
        name: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null },
        default: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null },
      },
    },
    inputs: [],
    outputs: [{ name: 'image', type: 'image', description: '' }],
  },
  {
    type: 'text.join',
    title: 'Join text',
    category: 'text',
    description: '',
    cacheable: false,
    cacheable_when: null,
    mapped_over: null,
    long: false,
    params: { type: 'object', properties: { separator: { type: 'string', default: '' } } },
    inputs: [{ name: 'parts', type: 'text', required: true, multiple: true, description: '' }],
    outputs: [{ name: 'text', type: 'text', description: '' }],
  },
  {
    type: 'image.generate',
    title: 'Generate image',
    category: 'image',
    description: '',
    cacheable: false,
    cacheable_when: null,
    mapped_over: null,
    long: true,
    params: {
      type: 'object',
      properties: {
        provider: { enum: ['local', 'fal', 'gemini'], default: 'local' },
        prompt_style: { type: 'string', format: 'textarea' },
        width: { type: 'integer', minimum: 64, maximum: 2048, default: 512 },
        strength: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
        seed: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }], default: null },
        hdr: { type: 'boolean', default: false },
        extra: { type: 'object' },
        quality: { $ref: '#/$defs/Quality' },
      },
      required: ['provider'],
      $defs: { Quality: { enum: ['draft', 'final'], type: 'string' } },
    },
    inputs: [{ name: 'prompt', type: 'text', required: true, multiple: false, description: '' }],
    outputs: [{ name: 'image', type: 'image', description: '' }],
  },
  {
    type: 'flow.wait',
    title: 'Wait',
    category: 'flow',
    description: '',
    cacheable: false,
    cacheable_when: null,
    mapped_over: null,
    long: true,
    params: noParams,
    inputs: [{ name: 'value', type: 'any', required: false, multiple: false, description: '' }],
    outputs: [{ name: 'value', type: 'any', description: '' }],
  },
];

export const CATALOG = indexCatalog(SPECS);
