// Where each validation error of a 422 goes: a node, one of its ports or params, an edge.

import type { ValidationError } from '../api/types';

export interface PlacedErrors {
  /** Errors per node id (every error that names the node, including port and param errors). */
  byNode: Record<string, ValidationError[]>;
  /** Errors per edge id (from the edge index at submission). */
  byEdge: Record<string, ValidationError[]>;
  /** Errors that name no node (unknown_input, too_large, …). */
  general: ValidationError[];
}

export function placeErrors(errors: ValidationError[], submittedEdgeIds: string[]): PlacedErrors {
  const placed: PlacedErrors = { byNode: {}, byEdge: {}, general: [] };
  const add = (map: Record<string, ValidationError[]>, key: string, e: ValidationError) => {
    (map[key] ??= []).push(e);
  };
  for (const e of errors) {
    let placedSomewhere = false;
    if (e.node) {
      add(placed.byNode, e.node, e);
      placedSomewhere = true;
    }
    for (const n of e.nodes ?? []) {
      add(placed.byNode, n, e);
      placedSomewhere = true;
    }
    if (typeof e.edge === 'number' && submittedEdgeIds[e.edge] !== undefined) {
      add(placed.byEdge, submittedEdgeIds[e.edge], e);
      placedSomewhere = true;
    }
    if (!placedSomewhere) placed.general.push(e);
  }
  return placed;
}

export const portErrors = (errors: ValidationError[] | undefined, port: string) =>
  (errors ?? []).filter((e) => e.port === port);

export const paramErrors = (errors: ValidationError[] | undefined, param: string) =>
  (errors ?? []).filter((e) => e.param === param);
