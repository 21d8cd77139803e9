// Node ids: 1 to 64 characters of A-Z a-z 0-9 _ -, unique within the graph.

export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidNodeId(id: string): boolean {
  return NODE_ID_PATTERN.test(id);
}

/** A fresh id for a node of `type`, from the last part of the type name: `image.generate` -> `generate_1`. */
export function newNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base =
    (type.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 56) || 'node';
  for (let i = 1; ; i++) {
    const id = `${base}_${i}`;
    if (!used.has(id)) return id;
  }
}
