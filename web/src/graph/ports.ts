// Port types: their colours on the canvas and which of them may be connected.

import type { PortType } from '../api/types';

/** One distinct colour per port type (also used by the legend and the edges). */
export const PORT_COLOURS: Record<PortType, string> = {
  text: '#4f9df7',
  number: '#f5a524',
  boolean: '#e5484d',
  json: '#a970ff',
  image: '#30c48d',
  video: '#f76fb4',
  audio: '#2fc6d6',
  any: '#9aa4b2',
};

export function portColour(type: string): string {
  return PORT_COLOURS[type as PortType] ?? PORT_COLOURS.any;
}

/** An edge is valid when both ends have the same type or either end is `any`. */
export function compatible(from: string, to: string): boolean {
  return from === to || from === 'any' || to === 'any';
}
