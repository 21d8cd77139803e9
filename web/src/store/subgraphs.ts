// Subgraphs on the canvas: their ports (from their templates), making one from a
// selection, opening one and coming back.

import { api } from '../api/client';
import { newNodeId } from '../graph/ids';
import { makeEdge, makeNode, type FlowNode } from '../graph/model';
import { extractSubgraph, subgraphKey, subgraphSpec, TEMPLATE_NODE } from '../graph/subgraph';
import { useCatalog } from './catalog';
import { useEditor } from './editor';
import { useRun } from './run';
import { useUi } from './ui';

const asked = new Set<string>();

/** Fetches the templates of subgraph nodes whose ports are not known yet. */
export function loadSubgraphSpecs(nodes: FlowNode[]): void {
  for (const n of nodes) {
    const key = subgraphKey(n.data);
    if (!key || asked.has(key) || useCatalog.getState().byType[key]) continue;
    asked.add(key);
    const version = typeof n.data.params.version === 'number' ? n.data.params.version : undefined;
    api.getTemplate(n.data.params.template as string, version).then(
      (template) => {
        const base = useCatalog.getState().byType[TEMPLATE_NODE];
        if (base) useCatalog.setState((s) => ({ byType: { ...s.byType, [key]: subgraphSpec(base, template) } }));
      },
      () => undefined, // a template that is gone: running the graph says so, on the node
    );
  }
}

/** Forgets what is known of a template's ports (after a new version is saved). */
export function forgetSubgraphSpecs(templateId: string): void {
  for (const key of [...asked]) if (key.startsWith(`${TEMPLATE_NODE}#${templateId}#`)) asked.delete(key);
  useCatalog.setState((s) => ({
    byType: Object.fromEntries(Object.entries(s.byType).filter(([k]) => !k.startsWith(`${TEMPLATE_NODE}#${templateId}#`))),
  }));
}

/** Saves the selected nodes as a new template and puts a subgraph node in their place. */
export async function makeSubgraph(): Promise<void> {
  const editor = useEditor.getState();
  const toast = useUi.getState().toast;
  const name = window.prompt('Name of the new template', `${editor.name || 'graph'} part`)?.trim();
  if (!name) return;
  const extraction = extractSubgraph(editor.nodes, editor.edges, useCatalog.getState().byType, name);
  if ('error' in extraction) {
    toast({ kind: 'error', text: `Cannot make a subgraph: ${extraction.error}` }, 12000);
    return;
  }
  try {
    const template = await api.createTemplate(name, extraction.template);
    const kept = editor.nodes.filter((n) => !n.selected).map((n) => n.id);
    const id = newNodeId(name.toLowerCase(), kept);
    const node = makeNode(id, TEMPLATE_NODE, extraction.position, { template: template.id });
    const edges = [
      ...extraction.inputs.map(([from, input]) => makeEdge(from.split('.')[0], from.split('.')[1], id, input)),
      ...extraction.outputs.map(([output, to]) => makeEdge(id, output, to.split('.')[0], to.split('.')[1])),
    ];
    useEditor.getState().replaceSelection(node, edges);
    useUi.getState().bump('templates');
    toast({ kind: 'success', text: `Made the subgraph “${template.name}” (template ${template.id})` });
  } catch (err) {
    toast({ kind: 'error', text: `Cannot make a subgraph: ${(err as Error).message}` }, 12000);
  }
}

/** Shows the template of subgraph node `nodeId` on the canvas (with the run's inner nodes). */
export async function openSubgraph(nodeId: string): Promise<void> {
  const node = useEditor.getState().nodes.find((n) => n.id === nodeId);
  const templateId = node?.data.params.template;
  if (!node || typeof templateId !== 'string') return;
  const version = typeof node.data.params.version === 'number' ? node.data.params.version : undefined;
  try {
    const t = await api.getTemplate(templateId, version);
    useEditor.getState().enterSubgraph(nodeId, t.graph, { id: t.id, name: t.name, version: t.version });
    useRun.getState().clearErrors();
  } catch (err) {
    useUi.getState().toast({ kind: 'error', text: `Cannot open ${nodeId}: ${(err as Error).message}` }, 12000);
  }
}

/** Back to the graph the subgraph was opened from (its ports re-read: the template may have changed). */
export function closeSubgraph(): void {
  const template = useEditor.getState().template;
  if (template) forgetSubgraphSpecs(template.id);
  useEditor.getState().leaveSubgraph();
  useRun.getState().clearErrors();
}
