// The HTTP client of the canvas: one function per endpoint it uses.
// Same origin as the page, under /api.

import type {
  AssetRef,
  CatalogModel,
  Estimate,
  Example,
  GraphDocument,
  NodeSpec,
  Priority,
  Run,
  RunList,
  Template,
  ValidationError,
} from './types';
import { authHeaders, hasCredential, renewSession, withKey } from './auth';

/** An API answer other than 2xx. `errors` is set on a 422 validation answer. */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: ValidationError[];
  readonly code: string | undefined;

  constructor(status: number, message: string, errors: ValidationError[] = [], code?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
    this.code = code;
  }
}

const BASE = '/api';

let onUnauthorized: (() => void) | null = null;

/** Called on a 401 answer that a silent renewal of the sign-in did not cure (the canvas then asks to sign in). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export async function request<T>(method: string, path: string, body?: unknown, renewed = false): Promise<T> {
  const init: RequestInit = { method, headers: { Accept: 'application/json', ...authHeaders() } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(BASE + path, init);
  } catch (err) {
    throw new ApiError(0, `cannot reach the server (${(err as Error).message})`);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let payload: unknown = undefined;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    payload = undefined;
  }
  if (response.status === 401 && !renewed && hasCredential() && (await renewSession())) {
    return request<T>(method, path, body, true); // the access token had expired
  }
  if (response.status === 401) onUnauthorized?.();
  if (!response.ok) throw errorFrom(response.status, payload, text);
  return payload as T;
}

/** What a 402 or 429 means for the person at the canvas, before the server's own words. */
const SPEND_WORDS: Record<string, string> = {
  insufficient_credits: 'Not enough credits',
  rate_limited: 'Too many requests',
};

function errorFrom(status: number, payload: unknown, text: string): ApiError {
  const p = (payload ?? {}) as { errors?: ValidationError[]; error?: { code?: string; message?: string } };
  if (Array.isArray(p.errors)) {
    const summary = p.errors.map((e) => e.message).join('; ');
    return new ApiError(status, summary || `invalid graph (${status})`, p.errors, 'invalid_graph');
  }
  if (p.error && typeof p.error === 'object') {
    const lead = p.error.code ? SPEND_WORDS[p.error.code] : undefined;
    const message = p.error.message ?? `error ${status}`;
    return new ApiError(status, lead ? `${lead}: ${message}` : message, [], p.error.code);
  }
  return new ApiError(status, text.slice(0, 200) || `HTTP ${status}`);
}

export const api = {
  catalog: () => request<{ nodes: NodeSpec[] }>('GET', '/nodes').then((r) => r.nodes),

  estimateRun: (graph: GraphDocument) => request<Estimate>('POST', '/runs/estimate', { graph, inputs: {} }),
  submitRun: (graph: GraphDocument, inputs: Record<string, unknown> = {}, priority: Priority = 'normal') =>
    request<Run>('POST', '/runs', { graph, inputs, priority }),
  getRun: (id: string) => request<Run>('GET', `/runs/${encodeURIComponent(id)}`),
  listRuns: (limit = 50, cursor?: string | null) =>
    request<RunList>(
      'GET',
      `/runs?limit=${limit}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''),
    ),
  cancelRun: (id: string) => request<Run>('POST', `/runs/${encodeURIComponent(id)}/cancel`),

  listTemplates: () => request<{ graphs: Template[] }>('GET', '/graphs').then((r) => r.graphs),
  getTemplate: (id: string, version?: number) =>
    request<Template>('GET', `/graphs/${encodeURIComponent(id)}` + (version ? `?version=${version}` : '')),
  createTemplate: (name: string, graph: GraphDocument) =>
    request<Template>('POST', '/graphs', { name, graph }),
  updateTemplate: (id: string, name: string, graph: GraphDocument) =>
    request<Template>('PUT', `/graphs/${encodeURIComponent(id)}`, { name, graph }),
  deleteTemplate: (id: string) => request<void>('DELETE', `/graphs/${encodeURIComponent(id)}`),
  runTemplate: (id: string, inputs: Record<string, unknown>) =>
    request<Run>('POST', `/graphs/${encodeURIComponent(id)}/runs`, { inputs }),

  searchModels: (q: string, category = '', limit = 50) =>
    request<{ models: CatalogModel[] }>(
      'GET',
      `/catalog/models?limit=${limit}&q=${encodeURIComponent(q)}` + (category ? `&category=${encodeURIComponent(category)}` : ''),
    ).then((r) => r.models),

  listExamples: () => request<{ examples: Example[] }>('GET', '/examples').then((r) => r.examples),

  uploadAsset: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<AssetRef>('POST', '/assets', form);
  },
  getAsset: (id: string) => request<AssetRef>('GET', `/assets/${encodeURIComponent(id)}`),
};

export const runEventsUrl = (runId: string) => withKey(`${BASE}/runs/${encodeURIComponent(runId)}/events`);
export const userEventsUrl = () => withKey(`${BASE}/events`);
