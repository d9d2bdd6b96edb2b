import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { getToken } from '../api/client';
import { I18nProvider } from '../i18n/I18nProvider';
import { jsonResponse, mockFetch, problemResponse } from '../test/http';
import { LoginPage } from './LoginPage';

function renderLogin(onLoggedIn = vi.fn()) {
  render(
    <I18nProvider>
      <LoginPage onLoggedIn={onLoggedIn} />
    </I18nProvider>,
  );
  return onLoggedIn;
}

function fillAndSubmit(email = 'gestion@aadenis.fr', password = 'mauvais') {
  fireEvent.change(screen.getByLabelText('Adresse e-mail'), { target: { value: email } });
  fireEvent.change(screen.getByLabelText('Mot de passe'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Se connecter' }));
}

describe('LoginPage', () => {
  it('shows "Identifiants invalides" on a 401', async () => {
    const fetchMock = mockFetch(() => problemResponse(401, 'Unauthorized', 'Invalid credentials'));
    const onLoggedIn = renderLogin();

    fillAndSubmit();

    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'Identifiants invalides');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(String(fetchMock.mock.calls[0]![0])).toBe('/auth/login');
    expect(onLoggedIn).not.toHaveBeenCalled();
    expect(getToken()).toBeNull();
    expect((screen.getByLabelText('Mot de passe') as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('button', { name: 'Se connecter' })).toHaveProperty('disabled', false);
  });

  it('disables the button while submitting, then logs in', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    mockFetch(async (url) => {
      if (url.pathname === '/auth/login') {
        await gate;
        return jsonResponse({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 });
      }
      return jsonResponse({ user_id: 'u1', email: 'gestion@aadenis.fr', org_id: 'o1', role: 'manager' });
    });
    const onLoggedIn = renderLogin();

    fillAndSubmit('gestion@aadenis.fr', 'bon');

    const busy = await screen.findByRole('button', { name: 'Connexion…' });
    expect(busy).toHaveProperty('disabled', true);
    release();
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledTimes(1));
    expect(onLoggedIn.mock.calls[0]![0]).toMatchObject({ email: 'gestion@aadenis.fr', role: 'manager' });
    expect(getToken()).toBe('tok');
  });

  it('asks for both fields before calling the API', () => {
    const fetchMock = mockFetch(() => jsonResponse({}));
    renderLogin();
    fireEvent.click(screen.getByRole('button', { name: 'Se connecter' }));
    expect(screen.getByRole('alert').textContent).toBe('Saisissez votre adresse e-mail et votre mot de passe.');
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
