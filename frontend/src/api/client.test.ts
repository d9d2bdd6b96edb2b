import { describe, expect, it, vi } from 'vitest';
import { driver, jsonResponse, mockFetch, problemResponse } from '../test/http';
import { downloadCsv } from './csv';
import {
  ApiError,
  getDriver,
  getSession,
  getToken,
  listDrivers,
  login,
  onSessionExpired,
  resetSessionCacheForTests,
  SESSION_STORAGE_KEY,
  setSession,
} from './client';

describe('api client', () => {
  it('maps a problem+json 401 to ApiError and clears the session', async () => {
    setSession('tok-123', 3600);
    expect(window.sessionStorage.getItem(SESSION_STORAGE_KEY)).not.toBeNull();
    const expired = vi.fn();
    onSessionExpired(expired);
    const fetchMock = mockFetch(() => problemResponse(401, 'Unauthorized', 'Token expired'));

    const error = await listDrivers().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, title: 'Unauthorized', detail: 'Token expired' });
    expect(getToken()).toBeNull();
    expect(window.sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(expired).toHaveBeenCalledTimes(1);
    const init = fetchMock.mock.calls[0]![1] as RequestInit;
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok-123');
  });

  it('does not treat a 401 from login as an expired session', async () => {
    const expired = vi.fn();
    onSessionExpired(expired);
    mockFetch(() => problemResponse(401, 'Unauthorized', 'Invalid email or password'));

    await expect(login('a@b.fr', 'nope')).rejects.toMatchObject({ status: 401, title: 'Unauthorized' });
    expect(expired).not.toHaveBeenCalled();
    expect(getSession()).toBeNull();
  });

  it('stores the token after login (memory and sessionStorage) and sends it afterwards', async () => {
    const fetchMock = mockFetch((url, init) => {
      if (url.pathname === '/auth/login') {
        expect(init.method).toBe('POST');
        expect(JSON.parse(String(init.body))).toEqual({ email: 'm@aadenis.fr', password: 's3cret' });
        return jsonResponse({ access_token: 'abc', token_type: 'bearer', expires_in: 900 });
      }
      return jsonResponse({ items: [driver()], next_cursor: null });
    });

    await login('m@aadenis.fr', 's3cret');
    expect(getToken()).toBe('abc');
    resetSessionCacheForTests(); // as after a reload of the tab
    expect(getToken()).toBe('abc');

    const page = await listDrivers({ limit: 20, cursor: 'c/2==', q: '  diallo ' });
    expect(page.items).toHaveLength(1);
    const [input, init] = fetchMock.mock.calls[1]!;
    const url = new URL(String(input), 'http://localhost');
    expect(url.pathname).toBe('/fleet/drivers');
    expect(url.searchParams.get('limit')).toBe('20');
    expect(url.searchParams.get('cursor')).toBe('c/2==');
    expect(url.searchParams.get('q')).toBe('diallo');
    expect((init!.headers as Record<string, string>).Authorization).toBe('Bearer abc');
  });

  it('keeps the session on a 404 and reports it as ApiError', async () => {
    setSession('tok', 3600);
    const fetchMock = mockFetch(() => problemResponse(404, 'Not Found', 'unknown driver'));
    await expect(getDriver('a/b')).rejects.toMatchObject({ status: 404, detail: 'unknown driver' });
    expect(getToken()).toBe('tok');
    expect(String(fetchMock.mock.calls[0]![0])).toBe('/fleet/drivers/a%2Fb');
  });

  it('falls back to the status text when the error body is not problem+json', async () => {
    setSession('tok', 3600);
    mockFetch(() => new Response('<html>oops</html>', { status: 502, statusText: 'Bad Gateway' }));
    await expect(listDrivers()).rejects.toMatchObject({ status: 502, title: 'Bad Gateway', detail: '' });
  });

  it('reports a network failure as ApiError with status 0', async () => {
    mockFetch(() => {
      throw new TypeError('Failed to fetch');
    });
    const error = await listDrivers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).isNetworkError).toBe(true);
  });

  it('ignores a stored session whose token has expired', () => {
    window.sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ token: 'old', expiresAt: Date.now() - 1000 }),
    );
    resetSessionCacheForTests();
    expect(getToken()).toBeNull();
  });

  it('downloads a list as CSV: its filters with format=csv, the token, the file handed to the browser', async () => {
    setSession('tok', 3600);
    const fetchMock = mockFetch(() => new Response('driver_id\nd-1\n', { headers: { 'Content-Type': 'text/csv; charset=utf-8' } }));
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => undefined;

    await downloadCsv({ path: '/fleet/drivers', query: { q: 'diallo', status: 'active' }, filename: 'chauffeurs.csv' });

    const [input, init] = fetchMock.mock.calls[0]!;
    expect(String(input)).toBe('/fleet/drivers?q=diallo&status=active&format=csv');
    expect((init!.headers as Record<string, string>).Accept).toBe('text/csv');
    expect((init!.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(saved).toEqual(['chauffeurs.csv']);
  });

  it('refuses a CSV export the API answers as JSON (406: "not available")', async () => {
    setSession('tok', 3600);
    mockFetch(() => jsonResponse({ items: [] }));
    await expect(downloadCsv({ path: '/fleet/reports', filename: 'rapports.csv' })).rejects.toMatchObject({ status: 406 });
  });

  it('passes the caller’s abort signal through the typed client', async () => {
    setSession('tok', 3600);
    mockFetch((_url, init) => new Promise((_, fail) => init.signal!.addEventListener('abort', () => fail(init.signal!.reason))));
    const controller = new AbortController();
    const call = getDriver('d-1', controller.signal);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });
});
