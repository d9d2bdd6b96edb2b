import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { setSession } from '../../api/client';
import { I18nProvider } from '../../i18n/I18nProvider';
import { BOLT_DAY, NO_BOLT, NO_UBER, UBER_DAY } from '../../test/figures';
import { identity, jsonResponse, mockFetch, person, type Handler } from '../../test/http';

const UNMAPPED = identity({ identity_id: 'bolt:b-9', provider: 'bolt', driver_id: 'b-9', account_id: '7', first_name: 'Paul', last_name: 'Martin', person_id: null, linked_by: null });
const OTHER = identity({ identity_id: 'uber:d-2', driver_id: 'd-2', first_name: 'Paul', last_name: 'Martin', person_id: null, linked_by: null });
const SUGGESTION = { suggestion_id: 's-1', identity: UNMAPPED, other: OTHER, reasons: ['même nom'], score: 50, created_at: '2024-07-01T22:30:00Z' };
const COMPANIES = { items: [{ company_id: 7, name: 'AA Denis Bolt', currency: 'EUR', first_seen_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }] };

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Opens `path` signed in as `role`; `handler` answers first, then empty lists. Returns the writes sent. */
function open(path: string, handler: Handler, role = 'manager'): Call[] {
  setSession('tok', 3600, { user_id: 'u1', email: 'gestion@aadenis.fr', org_id: 'o1', role } as never);
  window.history.replaceState(null, '', path);
  const writes: Call[] = [];
  mockFetch(async (url, init) => {
    const method = init.method ?? 'GET';
    if (method !== 'GET') {
      const body = typeof init.body === 'string' ? JSON.parse(init.body) : null;
      writes.push({ method, path: url.pathname, headers: init.headers as Record<string, string>, body });
    }
    if (url.pathname === '/bolt/companies') return jsonResponse(COMPANIES);
    if (url.pathname === '/fleet/orgs') return jsonResponse({ items: [{ account_id: 'acc-1', name: 'AA Denis Uber', parent_id: null }] });
    return (await handler(url, init)) ?? jsonResponse({ items: [], next_cursor: null });
  });
  render(
    <I18nProvider>
      <App />
    </I18nProvider>,
  );
  return writes;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Chauffeurs: people and the accounts to link', () => {
  it('lists people with a badge per platform, and the unmapped accounts apart', async () => {
    open('/chauffeurs', (url) => {
      if (url.pathname === '/people') return jsonResponse({ items: [person()], next_cursor: null });
      if (url.pathname === '/people/unmapped') return jsonResponse({ items: [UNMAPPED], next_cursor: null });
      return undefined as never;
    });
    const link = await screen.findByRole('link', { name: 'Amina Diallo' });
    expect(link.getAttribute('href')).toBe('/chauffeurs/personnes/p-1');
    const row = link.closest('tr')!;
    expect(within(row).getByText('Uber')).toBeTruthy();
    expect(within(row).getByText('Bolt')).toBeTruthy();

    const unmapped = await screen.findByRole('table', { name: 'Comptes sans chauffeur, page 1' });
    await within(unmapped).findByText('AA Denis Bolt'); // the company by its name, not its id
    expect(within(unmapped).getByRole('rowheader').textContent).toBe('Paul Martin Bolt');
    const cells = within(unmapped).getAllByRole('cell').map((c) => c.textContent);
    expect(cells.slice(0, 4)).toEqual(['+33 6 12 34 56 78', 'amina@example.fr', '—', 'AA Denis Bolt']);
    expect(within(unmapped).getByRole('button', { name: 'Rattacher Paul Martin' })).toBeTruthy();
  });

  it('"Rattacher" links an account to the person found, with an Idempotency-Key, and says the 409 in French', async () => {
    let taken = false;
    const writes = open('/chauffeurs', (url) => {
      if (url.pathname === '/people') return jsonResponse({ items: [person()], next_cursor: null });
      if (url.pathname === '/people/unmapped') return jsonResponse({ items: [UNMAPPED], next_cursor: null });
      if (url.pathname === '/people/p-1/identities') {
        if (taken)
          return jsonResponse(
            { type: 'about:blank', title: 'Conflict', status: 409, detail: 'bolt:b-9 belongs to Paul Martin (p-2)', errors: [{ identity_id: 'bolt:b-9', person_id: 'p-2', display_name: 'Paul Martin' }] },
            409,
            'application/problem+json',
          );
        return jsonResponse(person());
      }
      return undefined as never;
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Rattacher Paul Martin' }));
    const panel = screen.getByRole('region', { name: 'Rattacher Paul Martin' });
    expect((within(panel).getByLabelText('Chercher le chauffeur') as HTMLInputElement).value).toBe('Martin');
    fireEvent.click(await within(panel).findByRole('button', { name: 'Rattacher à Amina Diallo' }));
    expect(await screen.findByText('Paul Martin est rattaché à Amina Diallo.')).toBeTruthy();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.method).toBe('POST');
    expect(writes[0]!.body).toEqual({ identity_id: 'bolt:b-9' });
    expect(writes[0]!.headers['Idempotency-Key']).toMatch(UUID);

    taken = true;
    fireEvent.click(await screen.findByRole('button', { name: 'Rattacher Paul Martin' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Rattacher à Amina Diallo' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Ce compte appartient déjà à Paul Martin.');
    // A retry of the same action sends the same key: the API answers it once.
    fireEvent.click(screen.getByRole('button', { name: 'Rattacher à Amina Diallo' }));
    await waitFor(() => expect(writes).toHaveLength(3));
    expect(writes[2]!.headers['Idempotency-Key']).toBe(writes[1]!.headers['Idempotency-Key']);
    expect(writes[1]!.headers['Idempotency-Key']).not.toBe(writes[0]!.headers['Idempotency-Key']);
  });

  it('accepts and rejects suggestions, one key per decision, and reloads the list', async () => {
    let pending = [SUGGESTION, { ...SUGGESTION, suggestion_id: 's-2' }];
    const writes = open('/chauffeurs/suggestions', (url) => {
      if (url.pathname === '/people/suggestions') return jsonResponse({ items: pending, next_cursor: null });
      if (url.pathname === '/people/suggestions/s-1/accept') {
        pending = pending.filter((s) => s.suggestion_id !== 's-1');
        return jsonResponse(person({ display_name: 'Paul Martin' }));
      }
      if (url.pathname === '/people/suggestions/s-2/reject') {
        pending = [];
        return new Response(null, { status: 204 });
      }
      return undefined as never;
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Suggestions de rattachement' })).toBeTruthy();
    const accept = await screen.findAllByRole('button', { name: 'Accepter : Paul Martin (Bolt) et Paul Martin (Uber) sont le même chauffeur' });
    expect(screen.getAllByText('même nom')).toHaveLength(2);
    fireEvent.click(accept[0]!);
    expect(await screen.findByText('Paul Martin : comptes réunis.')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByRole('button', { name: /^Refuser/ })).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: /^Refuser/ }));
    expect(await screen.findByText('Suggestion refusée.')).toBeTruthy();
    expect(await screen.findByText('Aucune suggestion en attente.')).toBeTruthy();
    expect(writes.map((w) => w.path)).toEqual(['/people/suggestions/s-1/accept', '/people/suggestions/s-2/reject']);
    expect(writes.every((w) => UUID.test(w.headers['Idempotency-Key']!))).toBe(true);
  });
});

describe('a person’s page', () => {
  const DETAIL = {
    ...person(),
    vehicles: [{ identity_id: 'bolt:b-1', provider: 'bolt', vehicle_id: 'v-1', plate: 'AB-123-CD', model: 'Toyota Prius' }],
  };
  const ACTIVITY = {
    person_id: 'p-1',
    first_day: '2026-03-01',
    last_day: '2026-03-02',
    uber: UBER_DAY,
    bolt: BOLT_DAY,
    days: [
      { day: '2026-03-01', uber: UBER_DAY, bolt: BOLT_DAY },
      { day: '2026-03-02', uber: NO_UBER, bolt: NO_BOLT },
    ],
  };
  const HISTORY = {
    items: [
      { position: 12, kind: 'people.automatic_link', decided_at: '2024-07-01T22:30:00Z', user_id: null, user_email: null, identity_ids: ['uber:d-1', 'bolt:b-1'], person_ids: ['p-1'], reason: null, reasons: ['même téléphone'], request_id: null, idempotency_key: null },
    ],
    next_cursor: null,
  };
  const handler: Handler = (url) => {
    if (url.pathname === '/people/p-1') return jsonResponse(DETAIL);
    if (url.pathname === '/people/p-1/activity') return jsonResponse(ACTIVITY);
    if (url.pathname === '/people/p-1/history') return jsonResponse(HISTORY);
    return undefined as never;
  };

  it('shows both platforms side by side, with links to their driver pages, one chart and the history', async () => {
    open('/chauffeurs/personnes/p-1', handler);
    expect(await screen.findByRole('heading', { level: 1, name: 'Amina Diallo' })).toBeTruthy();
    const uber = screen.getByRole('region', { name: 'Uber' });
    const bolt = screen.getByRole('region', { name: 'Bolt' });
    expect(within(uber).getByRole('link', { name: /Fiche Uber/ }).getAttribute('href')).toBe('/chauffeurs/d-1');
    expect(within(bolt).getByRole('link', { name: /Fiche Bolt/ }).getAttribute('href')).toBe('/chauffeurs/bolt/b-1');
    expect(within(bolt).getByText('AB-123-CD · Toyota Prius')).toBeTruthy();
    expect(await within(bolt).findByText('AA Denis Bolt')).toBeTruthy();
    expect(await within(uber).findByText('AA Denis Uber')).toBeTruthy();

    const uberCards = await screen.findByRole('list', { name: 'Uber : totaux de la flotte sur la période' });
    expect(within(uberCards).getByText('Heures en ligne')).toBeTruthy();
    const boltCards = screen.getByRole('list', { name: 'Bolt : totaux de la flotte sur la période' });
    expect(within(boltCards).getByText('Commission')).toBeTruthy();
    expect(screen.getAllByRole('figure')).toHaveLength(1);
    expect(screen.getByText('Revenus par jour : Uber et Bolt (brut)')).toBeTruthy();

    const history = await screen.findByRole('table', { name: 'Historique des rattachements' });
    expect(within(history).getByText('Rattachement automatique')).toBeTruthy();
    expect(within(history).getByText('Automatique')).toBeTruthy();
    expect(within(history).getByText('même téléphone')).toBeTruthy();
  });

  it('asks the activity again for the week and month presets', async () => {
    const asked: string[] = [];
    open('/chauffeurs/personnes/p-1', (url, init) => {
      if (url.pathname === '/people/p-1/activity') asked.push(`${url.searchParams.get('from')}..${url.searchParams.get('to')}`);
      return handler(url, init);
    });
    await screen.findByRole('list', { name: 'Uber : totaux de la flotte sur la période' });
    fireEvent.change(screen.getByLabelText('Période prédéfinie'), { target: { value: 'lastWeek' } });
    await waitFor(() => expect(asked).toHaveLength(2));
    fireEvent.change(screen.getByLabelText('Période prédéfinie'), { target: { value: 'thisMonth' } });
    await waitFor(() => expect(asked).toHaveLength(3));
    const [from, to] = asked[1]!.split('..') as [string, string];
    expect(new Date(`${from}T00:00:00Z`).getUTCDay()).toBe(1);
    expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(6);
    expect(asked[2]!.slice(8, 10)).toBe('01');
  });

  it('hides the decision history from viewers', async () => {
    open('/chauffeurs/personnes/p-1', handler, 'viewer');
    await screen.findByRole('list', { name: 'Uber : totaux de la flotte sur la période' });
    expect(screen.queryByRole('heading', { name: 'Historique des rattachements' })).toBeNull();
  });
});
