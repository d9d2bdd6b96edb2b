import { vi } from 'vitest';

/** A stub JSON Response. */
export function jsonResponse(body: unknown, status = 200, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': contentType } });
}

/** A stub RFC 9457 problem+json Response. */
export function problemResponse(status: number, title: string, detail = ''): Response {
  return jsonResponse({ type: 'about:blank', title, status, detail }, status, 'application/problem+json');
}

export type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

/** Installs a fetch mock that resolves relative URLs against the page and calls `handler`. */
export function mockFetch(handler: Handler) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    return handler(url, init);
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

export function driver(overrides: Record<string, unknown> = {}) {
  return {
    driver_id: 'd-1',
    provider: 'uber',
    account_id: 'acc-1',
    first_name: 'Amina',
    last_name: 'Diallo',
    email: 'amina@example.fr',
    phone: '+33 6 12 34 56 78',
    status: 'active',
    vehicle_ids: ['v-1'],
    updated_at: '2024-07-01T22:30:00Z',
    ...overrides,
  };
}

/** A platform driver as the people routes show it (`person_id` null: unmapped). */
export function identity(overrides: Record<string, unknown> = {}) {
  return {
    identity_id: 'uber:d-1',
    provider: 'uber',
    driver_id: 'd-1',
    account_id: 'acc-1',
    first_name: 'Amina',
    last_name: 'Diallo',
    email: 'amina@example.fr',
    phone: '+33 6 12 34 56 78',
    plate: null,
    linked_by: 'même téléphone',
    person_id: 'p-1',
    updated_at: '2024-07-01T22:30:00Z',
    ...overrides,
  };
}

/** A person with an Uber and a Bolt account. */
export function person(overrides: Record<string, unknown> = {}) {
  return {
    person_id: 'p-1',
    display_name: 'Amina Diallo',
    created_at: '2024-07-01T22:30:00Z',
    updated_at: '2024-07-01T22:30:00Z',
    identities: [
      identity(),
      identity({ identity_id: 'bolt:b-1', provider: 'bolt', driver_id: 'b-1', account_id: '7', phone: '06 12 34 56 78', plate: 'AB-123-CD' }),
    ],
    ...overrides,
  };
}
