import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, mockFetch, problemResponse } from '../test/http';
import { getSession, getToken, listDrivers, login, logout, onSessionExpired } from './client';
import { REFRESH_MARGIN_MS } from './http';

const ME = { user_id: 'u1', email: 'm@aadenis.fr', org_id: 'o1', role: 'manager' };

function tokens(n: number, expiresIn = 900) {
  return {
    access_token: `access-${n}`,
    token_type: 'bearer',
    expires_in: expiresIn,
    refresh_token: `refresh-${n}`,
    refresh_expires_in: 86400,
  };
}

function authOf(init: RequestInit): string | undefined {
  return (init.headers as Record<string, string>).Authorization;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('silent token refresh', () => {
  it('refreshes shortly before the access token expires, then sends the new token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T10:00:00Z'));
    let issued = 1;
    const fetchMock = mockFetch((url, init) => {
      if (url.pathname === '/auth/login') return jsonResponse(tokens(1));
      if (url.pathname === '/auth/refresh') {
        expect(JSON.parse(String(init.body))).toEqual({ refresh_token: `refresh-${issued}` });
        issued += 1;
        return jsonResponse(tokens(issued));
      }
      return jsonResponse({ items: [], next_cursor: null });
    });
    await login('m@aadenis.fr', 'x');

    await listDrivers();
    expect(fetchMock.mock.calls.map(([u]) => String(u))).not.toContain('/auth/refresh');

    vi.setSystemTime(Date.now() + 900_000 - REFRESH_MARGIN_MS + 1000); // 59 s left
    await listDrivers();
    const calls = fetchMock.mock.calls.map(([u, init]) => [String(u).split('?')[0], authOf(init as RequestInit)]);
    expect(calls.slice(-2)).toEqual([
      ['/auth/refresh', undefined],
      ['/fleet/drivers', 'Bearer access-2'],
    ]);
    expect(getToken()).toBe('access-2');
  });

  it('refreshes once on a 401 and retries the call, sharing one refresh between concurrent calls', async () => {
    let refreshes = 0;
    const fetchMock = mockFetch((url, init) => {
      if (url.pathname === '/auth/login') return jsonResponse(tokens(1));
      if (url.pathname === '/auth/refresh') {
        refreshes += 1;
        return jsonResponse(tokens(2));
      }
      return authOf(init) === 'Bearer access-2'
        ? jsonResponse({ items: [], next_cursor: null })
        : problemResponse(401, 'Unauthorized', 'token revoked');
    });
    await login('m@aadenis.fr', 'x');

    await Promise.all([listDrivers(), listDrivers(), listDrivers()]);
    expect(refreshes).toBe(1);
    expect(fetchMock.mock.calls.filter(([u]) => String(u).startsWith('/fleet/drivers'))).toHaveLength(6);
    expect(getToken()).toBe('access-2');
  });

  it('ends the session with "expired" when the refresh is refused', async () => {
    const expired = vi.fn();
    onSessionExpired(expired);
    mockFetch((url) => {
      if (url.pathname === '/auth/login') return jsonResponse(tokens(1));
      if (url.pathname === '/auth/refresh') return problemResponse(401, 'Unauthorized', 'refresh token revoked');
      return problemResponse(401, 'Unauthorized', 'expired');
    });
    await login('m@aadenis.fr', 'x');

    await expect(listDrivers()).rejects.toMatchObject({ status: 401 });
    expect(expired).toHaveBeenCalledTimes(1);
    expect(getSession()).toBeNull();
  });

  it('does not retry forever: a 401 after a successful refresh expires the session', async () => {
    const expired = vi.fn();
    onSessionExpired(expired);
    let refreshes = 0;
    mockFetch((url) => {
      if (url.pathname === '/auth/login') return jsonResponse(tokens(1));
      if (url.pathname === '/auth/refresh') return jsonResponse(tokens(++refreshes + 1));
      return problemResponse(401, 'Unauthorized', 'forbidden org');
    });
    await login('m@aadenis.fr', 'x');
    await expect(listDrivers()).rejects.toMatchObject({ status: 401 });
    expect(refreshes).toBe(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('keeps a session whose access token expired while its refresh token is valid', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T10:00:00Z'));
    mockFetch(() => jsonResponse(tokens(1)));
    await login('m@aadenis.fr', 'x');
    vi.setSystemTime(Date.now() + 3600_000);
    expect(getToken()).toBeNull();
    expect(getSession()).not.toBeNull();
  });

  it('logout revokes the refresh token and forgets the session even when the call fails', async () => {
    const fetchMock = mockFetch((url) => {
      if (url.pathname === '/auth/login') return jsonResponse(tokens(1));
      return problemResponse(404, 'Not Found', 'no such route');
    });
    await login(ME.email, 'x');
    await logout();
    const [input, init] = fetchMock.mock.calls[1]!;
    expect(String(input)).toBe('/auth/logout');
    expect(JSON.parse(String((init as RequestInit).body))).toEqual({ refresh_token: 'refresh-1' });
    expect(getSession()).toBeNull();
    expect(window.sessionStorage.length).toBe(0);
  });
});
