// Types of the FusionFlow API contract, version 1 (shared/CONTRACT.md).

export const PORT_TYPES = ['text', 'number', 'boolean', 'json', 'image', 'video', 'audio', 'any'] as const;
export type PortType = (typeof PORT_TYPES)[number];
export const MEDIA_TYPES: readonly string[] = ['image', 'video', 'audio'];

// ---- graph document (section 1) ----

export interface GraphNodeDoc {
  id: string;
  type: string;
  params?: Record<string, unknown>;
}

export interface GraphEdgeDoc {
  from: string; // "<node id>.<output port>"
  to: string; // "<node id>.<input port>"
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** What the canvas keeps in the graph's opaque `ui` field. */
export interface GraphUi {
  positions?: Record<string, [number, number]>;
  viewport?: Viewport;
  [key: string]: unknown;
}

export interface GraphDocument {
  version: 1;
  name?: string;
  nodes: GraphNodeDoc[];
  edges: GraphEdgeDoc[];
  ui?: GraphUi;
}

// ---- validation (section 2) ----

export interface ValidationError {
  code: string;
  message: string;
  node?: string;
  port?: string;
  param?: string;
  edge?: number;
  nodes?: string[];
  input?: string;
}

// ---- runs (section 3) ----

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type NodeStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface NodeError {
  type: string;
  message: string;
}

export interface AssetRef {
  asset_id: string;
  url: string;
  content_type: string;
  size?: number;
  sha256?: string;
  [key: string]: unknown;
}

export interface RunNode {
  status: NodeStatus;
  progress?: number | null;
  /** Latest progress message (this backend adds it). */
  message?: string | null;
  cached?: boolean;
  attempts?: number;
  outputs?: Record<string, unknown> | null;
  error?: NodeError | null;
  started_at?: string | null;
  finished_at?: string | null;
}

export interface Run {
  id: string;
  status: RunStatus;
  graph_id: string | null;
  graph_version: number | null;
  created_at: string;
  finished_at: string | null;
  nodes: Record<string, RunNode>;
  outputs: Record<string, Record<string, unknown>>;
  /** Extension of this backend: the run's graph document (GET /api/runs/{id} only). */
  graph?: GraphDocument;
  /** Extension of this backend: the graph's name. */
  name?: string | null;
}

export interface RunList {
  runs: Run[];
  next_cursor: string | null;
}

// ---- events (section 4) ----

export const RUN_EVENT_NAMES = [
  'run.started',
  'run.succeeded',
  'run.failed',
  'run.cancelled',
  'node.queued',
  'node.started',
  'node.progress',
  'node.retrying',
  'node.succeeded',
  'node.failed',
  'node.skipped',
  'node.cancelled',
] as const;
export type RunEventName = (typeof RUN_EVENT_NAMES)[number];
export const TERMINAL_RUN_EVENTS: readonly string[] = ['run.succeeded', 'run.failed', 'run.cancelled'];

export interface RunEventData {
  run_id: string;
  seq: number;
  ts?: string;
  node_id?: string;
  attempt?: number;
  progress?: number;
  message?: string;
  error?: NodeError | string | null;
  delay_ms?: number;
  outputs?: Record<string, unknown>;
  cached?: boolean;
}

export interface RunEvent {
  event: RunEventName;
  data: RunEventData;
}

// ---- templates (section 5) ----

export interface TemplateInput {
  name: string;
  type: string;
  default?: unknown;
}

/** An entry of GET /api/catalog/models: a provider's model endpoint. */
export interface CatalogModel {
  id: string;
  provider: string;
  title: string;
  category: string;
  description: string;
  input_schema: JsonSchema;
}

export interface Example {
  id: string;
  name: string;
  description: string;
  graph: GraphDocument;
}

export interface TemplateOutput {
  name: string;
  type: string;
}

export interface Template {
  id: string;
  name: string;
  version: number;
  graph: GraphDocument;
  inputs: TemplateInput[];
  outputs?: TemplateOutput[];
  created_at: string;
  updated_at: string;
}

// ---- catalog (section 6) ----

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  title?: string;
  description?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  [key: string]: unknown;
}

export interface InputPortSpec {
  name: string;
  type: PortType;
  required: boolean;
  multiple: boolean;
  description?: string;
}

export interface OutputPortSpec {
  name: string;
  type: PortType;
  description?: string;
}

export interface NodeSpec {
  type: string;
  title: string;
  category: string;
  description: string;
  params: JsonSchema;
  inputs: InputPortSpec[];
  outputs: OutputPortSpec[];
  cacheable?: boolean;
}
