import type { ApiClient, Json } from './server.js';

// Small builders for what most tests need first: catalog types and endpoints.

export async function createEventTypes(api: ApiClient, ...names: string[]): Promise<void> {
  for (const name of names) {
    const response = await api.request('POST', '/v1/event-types', { name, description: `${name} happened` });
    if (response.status !== 201 && response.status !== 409) {
      throw new Error(`creating event type ${name}: ${response.status} ${JSON.stringify(response.body)}`);
    }
  }
}

export interface CreatedEndpoint {
  id: string;
  secret: string;
  [field: string]: unknown;
}

export async function createEndpoint(api: ApiClient, definition: Record<string, unknown>, key?: string): Promise<CreatedEndpoint> {
  const response = await api.request('POST', '/v1/endpoints', definition, key);
  if (response.status !== 201) throw new Error(`creating endpoint: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as CreatedEndpoint;
}

export async function postEvent(api: ApiClient, event: Record<string, unknown>, key?: string) {
  const response = await api.request('POST', '/v1/events', event, key);
  if (response.status !== 202 && response.status !== 200) {
    throw new Error(`posting event: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as { id: string; deliveries: number };
}

export async function deliveriesOf(api: ApiClient, eventId: string) {
  const response = await api.request('GET', `/v1/deliveries?eventId=${encodeURIComponent(eventId)}`);
  return response.body.data as Array<Record<string, Json>>;
}
