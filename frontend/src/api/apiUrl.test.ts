import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, mockFetch } from '../test/http';

// http.ts reads VITE_API_BASE_URL once, when it is loaded: each case loads it afresh.
async function firstUrlCalled(apiUrl: string | undefined): Promise<string> {
  if (apiUrl !== undefined) vi.stubEnv('VITE_API_BASE_URL', apiUrl);
  vi.resetModules();
  const fetchMock = mockFetch(() => jsonResponse({ status: 'ok' }));
  const { fetchApi } = await import('./http');
  await fetchApi('/healthz', { authenticated: false });
  return String(fetchMock.mock.calls[0]?.[0]);
}

describe('where the dashboard calls the API', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
  });

  it('calls its own origin by default', async () => {
    expect(await firstUrlCalled(undefined)).toBe('/healthz');
  });

  it('calls VITE_API_BASE_URL when the dashboard is hosted apart from the API', async () => {
    expect(await firstUrlCalled('https://api.example.test/')).toBe('https://api.example.test/healthz');
  });
});
