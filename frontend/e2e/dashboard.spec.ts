// The dashboard in headless Chromium against the real stack started by stack.ts.
// A scenario first names the API routes it drives, checked against the running API's own
// OpenAPI document: a route renamed or removed, or a document that did not reach the run,
// fails the scenario with the routes missing, rather than skipping it.
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './stack';

const SHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'e2e');
mkdirSync(SHOTS, { recursive: true });

const base = () => process.env.E2E_BASE_URL!;
type Operation = { parameters?: { name: string }[] };

/** The running API's routes: stack.ts passes its OpenAPI document's `paths` in E2E_API_SPEC. */
function apiRoutes(): Record<string, Record<string, Operation>> {
  const raw = process.env.E2E_API_SPEC;
  if (!raw) throw new Error('E2E_API_SPEC is unset: the OpenAPI document of the stack did not reach the e2e run');
  return JSON.parse(raw) as Record<string, Record<string, Operation>>;
}

/** Fails the scenario unless the API has every route it drives (GET `route?param` names a query parameter). */
function needs(...routes: string[]) {
  const paths = apiRoutes();
  const missing = routes.filter((route) => {
    const [path, param] = route.split('?') as [string, string | undefined];
    return !(path in paths) || (param !== undefined && !paths[path]!.get?.parameters?.some((p) => p.name === param));
  });
  expect(missing, `routes this scenario drives are missing from the API's OpenAPI document (renamed? removed?)`).toEqual([]);
}

/** A chart's bars that have a value (Recharts draws none for zero). */
const BARS = '.chart-bar .recharts-rectangle';

async function shot(page: Page, name: string) {
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

/** Nothing scrolls sideways: the page is no wider than the window. */
async function expectNoSidewaysScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `scrollWidth ${scroll} > clientWidth ${client}`).toBeLessThanOrEqual(client);
}

async function logIn(page: Page) {
  await page.goto(`${base()}/`);
  await page.getByLabel('Adresse e-mail').fill(ADMIN_EMAIL);
  await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Chauffeurs' })).toBeVisible();
}

/** Reloads until `target` shows: a list the stack fills a little after it starts. */
async function reloadUntilVisible(page: Page, target: Locator) {
  await expect(async () => {
    if (!(await target.isVisible())) {
      await page.reload();
      await expect(target).toBeVisible({ timeout: 3000 });
    }
  }).toPass({ timeout: 60_000 });
}

/**
 * The platform accounts' table (Chauffeurs → "Comptes par plateforme", which the provider
 * switch drives) once the projector has filled it (the stack has just started).
 */
async function driverLinks(page: Page) {
  if (!page.url().endsWith('/chauffeurs/comptes')) {
    await page.getByRole('link', { name: 'Comptes par plateforme' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Comptes des plateformes' })).toBeVisible();
  }
  const links = page.locator('a.driver-link');
  await expect(async () => {
    if ((await links.count()) === 0) {
      await page.reload();
      await expect(links.first()).toBeVisible({ timeout: 3000 });
    }
  }).toPass({ timeout: 60_000 });
  return links;
}

test('log in, list and search drivers, open one, change dates, log out', async ({ page }) => {
  await page.goto(`${base()}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Connexion' })).toBeVisible();
  await shot(page, '01-login');
  await logIn(page);
  expect(page.url()).toBe(`${base()}/chauffeurs`);

  const links = await driverLinks(page);
  expect(await links.count()).toBeGreaterThan(1);
  await shot(page, '02-drivers');

  // Search by the last name of the first driver: every row shown matches.
  const name = (await links.first().textContent())!.trim();
  const lastName = name.split(' ').pop()!;
  await page.getByLabel('Rechercher un chauffeur').fill(lastName);
  await expect(async () => {
    const names = await page.locator('a.driver-link').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n.toLowerCase()).toContain(lastName.toLowerCase());
  }).toPass();
  await page.getByLabel('Rechercher un chauffeur').fill('zzz-nobody-zzz');
  await expect(page.getByText('Aucun chauffeur')).toBeVisible();
  await page.getByLabel('Rechercher un chauffeur').fill(lastName);

  // Open the driver.
  await page.locator('a.driver-link', { hasText: name }).first().click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText('Identifiant chauffeur')).toBeVisible();
  expect(page.url()).toMatch(/\/chauffeurs\/[^/]+$/);

  // Dates: "Semaine dernière" is a Monday → Sunday week.
  await page.getByLabel('Période prédéfinie').selectOption({ label: 'Semaine dernière' });
  const from = await page.getByLabel('Du', { exact: true }).inputValue();
  const to = await page.getByLabel('Au', { exact: true }).inputValue();
  expect(new Date(`${from}T00:00:00Z`).getUTCDay()).toBe(1);
  expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(6);
  await page.getByLabel('Du', { exact: true }).fill('2025-01-06');
  await expect(page.getByLabel('Période prédéfinie')).toHaveValue('custom');
  await page.getByLabel('Période prédéfinie').selectOption({ label: '30 derniers jours' });
  await shot(page, '03-driver-uber');

  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page.getByLabel('Adresse e-mail')).toBeVisible();
  await page.goto(`${base()}/chauffeurs`);
  await expect(page.getByLabel('Adresse e-mail')).toBeVisible(); // the session is gone
});

test('Uber driver page shows metric cards and a chart with data', async ({ page }) => {
  needs('/fleet/drivers/{driver_id}/metrics', '/fleet/drivers/{driver_id}/status-history');
  await logIn(page);
  await (await driverLinks(page)).first().click();
  await expect(page.getByText('Heures en ligne', { exact: true })).toBeVisible();
  const chart = page.locator('figure.chart');
  await expect(chart.locator('svg.recharts-surface')).toBeVisible();
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
  // The plot is loaded with the first chart (its own file): wait for a bar, then count.
  await expect(chart.locator(BARS).first()).toBeVisible();
  // Under the transactions: the status changes, as a table or the empty state.
  await expect(page.getByRole('heading', { level: 3, name: 'Historique des statuts' })).toBeVisible();
  await expect(
    page.getByRole('table', { name: 'Historique des statuts' }).or(page.getByText('Aucun changement de statut sur cette période')),
  ).toBeVisible();
  await shot(page, '04-driver-chart');
});

test('overview page: the whole fleet’s figures for both providers, a chart per day, a CSV', async ({ page }) => {
  needs('/fleet/overview', '/fleet/overview?format');
  await logIn(page);
  await page.getByRole('group', { name: 'Plateforme' }).getByRole('button', { name: 'Tous' }).click();
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: "Vue d'ensemble" }).click();
  await expect(page.getByRole('heading', { level: 1, name: "Vue d'ensemble" })).toBeVisible();
  expect(page.url()).toBe(`${base()}/vue-d-ensemble`);

  // The simulator's 30+ days of history reach the read tables as the projector catches up:
  // reload until both providers' cards show figures.
  const card = (provider: string, label: string) =>
    page
      .getByRole('list', { name: `${provider} : totaux de la flotte sur la période` })
      .locator('li', { has: page.getByText(label, { exact: true }) })
      .locator('.metric-value');
  await expect(async () => {
    await page.reload();
    await expect(card('Uber', 'Courses')).not.toHaveText(/^0$/, { timeout: 3000 });
    await expect(card('Bolt', 'Brut')).not.toHaveText(/^0,00/, { timeout: 3000 });
  }).toPass({ timeout: 90_000 });
  await expect(card('Uber', 'Revenus')).toHaveText(/\d/);
  await expect(card('Bolt', 'Chauffeurs actifs')).not.toHaveText('0');

  const charts = page.locator('figure.chart');
  await expect(charts).toHaveCount(2);
  expect(Number(await charts.first().getAttribute('data-points'))).toBe(30); // every day of "30 derniers jours"
  await expect(charts.first().locator(BARS).first()).toBeVisible(); // the plot loads with the first chart
  // The keyboard reaches the chart and moves its tooltip from day to day, amounts in euros.
  await charts.first().locator('svg.recharts-surface').focus();
  await page.keyboard.press('ArrowRight');
  await expect(charts.first().locator('.recharts-tooltip-wrapper')).toContainText(/\d,\d{2}\s€/);
  await expect(page.getByRole('heading', { level: 3, name: /^Chauffeurs Uber de la flotte : [1-9]/ })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await shot(page, '19-overview');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Exporter en CSV' }).click();
  const csv = await download;
  expect(csv.suggestedFilename()).toMatch(/^vue-d-ensemble-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync((await csv.path())!, 'utf-8').trim().split('\n');
  expect(lines[0]).toMatch(/^day,provider,active_drivers,trips,/);
  expect(lines.length).toBe(1 + 30 * 2); // one row per day and provider

  // Only Bolt when the switch says Bolt.
  await page.getByRole('group', { name: 'Plateforme' }).getByRole('button', { name: 'Bolt' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Uber' })).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 2, name: 'Bolt' })).toBeVisible();
});

test('provider switch: Uber / Bolt / Tous, remembered after a reload', async ({ page }) => {
  needs('/fleet/drivers', '/bolt/drivers');
  await logIn(page);
  await driverLinks(page);
  const nav = page.getByRole('group', { name: 'Plateforme' });
  await nav.getByRole('button', { name: 'Bolt' }).click();
  await expect(nav.getByRole('button', { name: 'Bolt' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.provider-bolt').first()).toBeVisible();
  await page.reload();
  await expect(page.getByRole('group', { name: 'Plateforme' }).getByRole('button', { name: 'Bolt' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await page.getByRole('group', { name: 'Plateforme' }).getByRole('button', { name: 'Tous' }).click();
  await expect(page.locator('.provider-uber').first()).toBeVisible();
  await expect(page.locator('.provider-bolt').first()).toBeVisible();
  await shot(page, '05-drivers-all');
  await page.getByRole('group', { name: 'Plateforme' }).getByRole('button', { name: 'Uber' }).click();
});

test('export the drivers as CSV (a download happens)', async ({ page }) => {
  needs('/fleet/drivers?format');
  await logIn(page);
  await driverLinks(page);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Exporter en CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('chauffeurs-uber.csv');
  const text = readFileSync((await file.path())!, 'utf-8');
  expect(text.split('\n').length).toBeGreaterThan(2);
});

test('API down shows the error state, and "Réessayer" recovers', async ({ page }) => {
  await logIn(page);
  await driverLinks(page);
  await page.route('**/fleet/drivers?**', (route) => route.abort('connectionrefused'));
  await page.reload();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Impossible de joindre le serveur');
  await shot(page, '06-api-down');
  await page.unroute('**/fleet/drivers?**');
  await alert.getByRole('button', { name: 'Réessayer' }).click();
  await expect(page.locator('a.driver-link').first()).toBeVisible();
});

for (const [title, path, route, heading] of [
  ['vehicles list', '/fleet/vehicles', '/vehicules', 'Véhicules'],
  ['auditor events browser', '/audit/events', '/audit', 'Journal des événements'],
  ['admin sync status and projection lag', '/sync/status', '/admin', 'Administration'],
] as const) {
  test(`${title} page`, async ({ page }) => {
    needs(path);
    await logIn(page);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: heading === 'Journal des événements' ? 'Audit' : heading }).click();
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(page.locator('table, .state-empty').first()).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await shot(page, `07-${route.slice(1)}`);
  });
}

/** YYYY-MM-DD in Europe/Paris, `days` days from now (the dashboard's "30 derniers jours"). */
function parisDay(days = 0): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + days * 86_400_000));
}

test('Bolt driver page shows daily earnings, a chart and the trips', async ({ page }) => {
  needs('/bolt/drivers', '/bolt/drivers/{driver_id}/earnings', '/bolt/drivers/{driver_id}/trips');
  await logIn(page);
  await driverLinks(page);
  const nav = page.getByRole('group', { name: 'Plateforme' });
  await nav.getByRole('button', { name: 'Bolt' }).click();
  await expect(nav.getByRole('button', { name: 'Bolt' })).toHaveAttribute('aria-pressed', 'true');
  const boltLinks = page.locator('a.driver-link[href*="/chauffeurs/bolt/"]');
  await expect(boltLinks.first()).toBeVisible({ timeout: 60_000 });

  // The Bolt orders backfill may still be running: wait (API) for a listed driver with earnings.
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('fm.session') ?? '{}').token as string);
  const hrefs = (await boltLinks.evaluateAll((as) => as.map((a) => a.getAttribute('href')!))).slice(0, 20);
  const range = `from=${parisDay(-29)}&to=${parisDay()}`;
  let href = '';
  await expect(async () => {
    for (const h of hrefs) {
      const driverId = h.split('/').pop()!;
      const answer = await page.request.get(`${base()}/bolt/drivers/${driverId}/earnings?${range}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(answer.ok()).toBe(true);
      if (((await answer.json()) as { items: unknown[] }).items.length > 0) {
        href = h;
        return;
      }
    }
    throw new Error('no Bolt earnings yet');
  }).toPass({ timeout: 90_000, intervals: [2000] });

  await page.locator(`a.driver-link[href="${href}"]`).click();
  await expect(page.getByText('Identifiant chauffeur')).toBeVisible();
  expect(page.url()).toMatch(/\/chauffeurs\/bolt\/[^/]+$/);
  await page.getByLabel('Période prédéfinie').selectOption({ label: 'Semaine dernière' });
  await page.getByLabel('Période prédéfinie').selectOption({ label: '30 derniers jours' });
  await expect(page.getByLabel('Au', { exact: true })).toHaveValue(parisDay());

  const cards = page.getByRole('list', { name: 'Totaux de la période' });
  for (const label of ['Brut', 'Commission', 'Net', 'Pourboires']) {
    await expect(cards.getByText(label, { exact: true })).toBeVisible();
  }
  const earnings = page.getByRole('table', { name: 'Revenus par jour' });
  await expect(earnings).toBeAttached();
  for (const column of ['Brut', 'Commission', 'Net', 'Pourboires', 'Espèces', 'In-app']) {
    await expect(earnings.getByRole('columnheader', { name: column, exact: true })).toBeAttached();
  }
  expect(await earnings.locator('tbody tr').count()).toBeGreaterThan(0);

  const chart = page.locator('figure.chart', { hasText: 'Revenus bruts par jour : in-app et espèces' });
  await expect(chart.locator('svg.recharts-surface')).toBeVisible();
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
  // The plot is loaded with the first chart (its own file): wait for a bar, then count.
  await expect(chart.locator(BARS).first()).toBeVisible();

  await expect(page.getByRole('heading', { level: 3, name: 'Courses', exact: true })).toBeVisible();
  const trips = page.getByRole('table', { name: 'Courses' });
  await expect(trips.locator('tbody tr').first()).toBeVisible();
  expect(await trips.locator('tbody tr').count()).toBeGreaterThan(0);
  await shot(page, '08-driver-bolt');
});

test('a refused refresh ends the session with the "session expired" message', async ({ page }) => {
  await logIn(page);
  await driverLinks(page);
  const problem = (detail: string) => ({
    status: 401,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail }),
  });
  await page.route('**/auth/refresh', (route) => route.fulfill(problem('refresh token revoked')));
  await page.route('**/fleet/drivers?**', (route) => route.fulfill(problem('token expired')));
  const refreshed = page.waitForRequest('**/auth/refresh');
  await page.getByLabel('Rechercher un chauffeur').fill('expiry'); // the next data call: 401
  await refreshed;
  await expect(page.getByRole('heading', { level: 1, name: 'Connexion' })).toBeVisible();
  await expect(page.getByText('Votre session a expiré, veuillez vous reconnecter.')).toBeVisible();
  await expect(page.getByLabel('Adresse e-mail')).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('fm.session'))).toBeNull();
  await shot(page, '09-session-expired');
});

test('offline shows the banner; back online hides it and reloads the list', async ({ page, context }) => {
  await logIn(page);
  await driverLinks(page);
  const banner = page.locator('.offline-banner');
  await expect(banner).toHaveCount(0);
  await context.setOffline(true);
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Hors ligne');
  await shot(page, '10-offline');
  const reloaded = page.waitForResponse((r) => r.url().includes('/fleet/drivers?') && r.ok());
  await context.setOffline(false);
  await expect(banner).toHaveCount(0);
  await reloaded;
  await expect(page.locator('a.driver-link').first()).toBeVisible();
});

/** The status cell of every row shown. */
const statusCells = (page: Page) => page.locator('table.drivers-table tbody tr td[data-label="Statut"]');

test('status filter: only drivers in the chosen status are listed', async ({ page }) => {
  needs('/fleet/drivers?status', '/bolt/drivers?status');
  await logIn(page);
  await driverLinks(page);
  const filter = page.getByLabel('Statut', { exact: true });

  // Uber: a status shown in the list (its realtime status) and offered by the filter.
  const offered = (await filter.locator('option').allTextContents()).filter((label) => label !== 'Tous les statuts');
  expect(offered).toEqual(['En ligne', 'En course', 'Hors ligne']);
  await expect(async () => {
    await filter.selectOption('');
    const shown = await statusCells(page).allTextContents();
    const label = shown.map((s) => s.trim()).find((s) => offered.includes(s));
    expect(label, `an Uber status among ${shown.join(', ')}`).toBeTruthy();
    const answer = page.waitForResponse((r) => r.url().includes('/fleet/drivers?') && r.url().includes('status='));
    await filter.selectOption({ label: label! });
    expect((await answer).ok()).toBe(true);
    const cells = await statusCells(page).allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) expect(cell.trim()).toBe(label);
  }).toPass({ timeout: 60_000 });
  await shot(page, '11-drivers-status-uber');
  await filter.selectOption('');

  // Bolt: the driver record's state, "active".
  const nav = page.getByRole('group', { name: 'Plateforme' });
  await nav.getByRole('button', { name: 'Bolt' }).click();
  await expect(page.locator('a.driver-link[href*="/chauffeurs/bolt/"]').first()).toBeVisible({ timeout: 60_000 });
  expect((await filter.locator('option').allTextContents()).slice(1)).toEqual(['Actif', 'Suspendu', 'Désactivé']);
  const request = page.waitForRequest((r) => r.url().includes('/bolt/drivers?') && r.url().includes('status=active'));
  await filter.selectOption({ label: 'Actif' });
  await request;
  await expect(async () => {
    const cells = await statusCells(page).allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) expect(cell.trim()).toBe('Actif');
  }).toPass();
  await expect(page.locator('a.driver-link[href*="/chauffeurs/bolt/"]').first()).toBeVisible();
  await shot(page, '12-drivers-status-bolt');
  await nav.getByRole('button', { name: 'Uber' }).click();
});

test('English switch: the drivers page in English, kept after a reload, then back to French', async ({ page }) => {
  // The real API with smaller pages (the stack has fewer drivers than a page), so that
  // "Next" / "Previous" are shown.
  await page.route('**/fleet/drivers?**', (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('limit', '10');
    return route.continue({ url: url.toString() });
  });
  await logIn(page);
  const links = await driverLinks(page);
  await page.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }).click();

  const english = async () => {
    await expect(page.getByRole('heading', { level: 1, name: 'Platform accounts' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByLabel('Search drivers')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Export CSV' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await expect(nav.getByRole('link', { name: 'Drivers' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Vehicles' })).toBeVisible();
    await expect(page.getByRole('group', { name: 'Platform' }).getByRole('button', { name: 'All' })).toBeVisible();
    await expect(page.getByRole('columnheader', { name: 'Status' })).toBeVisible();
    await expect(page.getByLabel('Status', { exact: true }).locator('option').first()).toHaveText('All statuses');
    await expect(page.getByRole('button', { name: 'Next' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Previous' })).toBeVisible();
    await expect(links.first()).toBeVisible();
  };
  await english();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Page 2', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Previous' })).toBeEnabled();
  await shot(page, '13-drivers-english');

  await page.reload();
  await english();
  await expect(page.locator('.lang-button[lang="en"]')).toHaveAttribute('aria-pressed', 'true');

  await page.getByRole('group', { name: 'Language' }).locator('.lang-button[lang="fr"]').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Comptes des plateformes' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Suivant' })).toBeVisible();
});

/** Press Tab until `target` has the focus (at most `max` times); the focus must be visible. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      const ring = await target.evaluate((el) => {
        const style = getComputedStyle(el);
        return { visible: el.matches(':focus-visible'), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
      });
      expect(ring.visible).toBe(true);
      expect(ring.outline).not.toBe('none');
      expect(ring.width).toBeGreaterThan(0);
      return;
    }
  }
  throw new Error(`no focus on ${target} after ${max} Tab presses`);
}

test('keyboard only: log in and open a driver with Tab and Enter, with a visible focus', async ({ page }) => {
  await page.goto(`${base()}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Connexion' })).toBeVisible();
  await tabTo(page, page.getByLabel('Adresse e-mail'));
  await page.keyboard.type(ADMIN_EMAIL);
  await tabTo(page, page.getByLabel('Mot de passe'), 3);
  await page.keyboard.type(ADMIN_PASSWORD);
  await tabTo(page, page.getByRole('button', { name: 'Se connecter' }), 3);
  await shot(page, '14-keyboard-login');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Chauffeurs' })).toBeVisible();

  const links = await driverLinks(page);
  const first = links.first();
  const name = (await first.textContent())!.trim();
  await tabTo(page, first, 60);
  await shot(page, '15-keyboard-driver-focus');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText('Identifiant chauffeur')).toBeVisible();
  expect(page.url()).toMatch(/\/chauffeurs\/[^/]+$/);
});

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('390×844: the drivers list fits the width and the header controls are reachable', async ({ page }) => {
    await logIn(page);
    const links = await driverLinks(page);
    await expectNoSidewaysScroll(page);

    // Rows are cards: name, status… readable inside the screen.
    const firstRow = page.locator('table.drivers-table tbody tr').first();
    await expect(links.first()).toBeInViewport();
    const box = (await firstRow.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await expect(firstRow.locator('td[data-label="Statut"]')).toBeVisible();

    // Header controls: visible, inside the screen, usable.
    for (const control of [
      page.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }),
      page.getByRole('button', { name: 'Se déconnecter' }),
      page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Chauffeurs' }),
      page.getByRole('group', { name: 'Plateforme' }).getByRole('button', { name: 'Bolt' }),
      page.getByLabel('Rechercher un chauffeur'),
    ]) {
      await expect(control).toBeVisible();
      await expect(control).toBeInViewport({ ratio: 1 });
    }
    await shot(page, '16-phone-drivers');

    await page.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }).tap();
    await expect(page.getByRole('heading', { level: 1, name: 'Platform accounts' })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await page.getByRole('group', { name: 'Language' }).locator('.lang-button[lang="fr"]').tap();
    await expect(page.getByRole('heading', { level: 1, name: 'Comptes des plateformes' })).toBeVisible();
    await expectNoSidewaysScroll(page);
  });
});

test('reports page: the Uber reports fetched at start, their file for the admin, a CSV, and the Bolt companies', async ({ page }) => {
  needs('/fleet/reports', '/fleet/reports?format', '/bolt/companies');
  await logIn(page);
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Rapports' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Rapports' })).toBeVisible();
  expect(page.url()).toBe(`${base()}/rapports`);

  // The reports poller asks for yesterday's report as the stack starts; the simulator has it
  // ready within seconds, so the list fills shortly after (reload until then).
  const reports = page.getByRole('table', { name: 'Rapports Uber' });
  await reloadUntilVisible(page, reports);
  const row = reports.locator('tbody tr').first();
  await expect(row.locator('th')).toHaveText(/^\d{2}\/\d{2}\/\d{4}( – \d{2}\/\d{2}\/\d{4})?$/);
  await expect(row.locator('td[data-label="Type"]')).toHaveText('Paiements par commande');
  await expect(row.locator('td[data-label="Statut"]')).toHaveText(/Terminé|En cours|Échec/);

  // The admin also sees the call that holds the file and its SHA-256, opened with the keyboard.
  const file = row.locator('td[data-label="Fichier (audit)"]');
  await expect(file).toContainText(/Appel n° \d+/);
  const summary = file.locator('summary');
  await tabTo(page, summary, 60);
  await page.keyboard.press('Enter');
  await expect(file.locator('code')).toHaveText(/^[0-9a-f]{64}$/);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Exporter en CSV' }).click();
  const csv = await download;
  expect(csv.suggestedFilename()).toBe('rapports-uber.csv');
  expect(readFileSync((await csv.path())!, 'utf-8').trim().split('\n').length).toBeGreaterThan(1);

  await expect(page.getByRole('heading', { level: 2, name: 'Entreprises Bolt' })).toBeVisible();
  const companies = page.getByRole('table', { name: 'Entreprises Bolt' });
  await expect(companies.locator('tbody tr').first()).toBeVisible();
  await expect(companies.locator('tbody tr').first().locator('td[data-label="Devise"]')).toHaveText(/^[A-Z]{3}$/);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await shot(page, '17-reports');

  // A 390-wide phone: rows become cards, nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(row).toBeVisible();
  await expectNoSidewaysScroll(page);
  await shot(page, '18-reports-phone');
});

test('audit: the provider calls with one exact response body, then a record the platform quarantined', async ({ page, request }) => {
  needs('/audit/fetches', '/audit/fetches/{fetch_id}/body', '/audit/quarantine', '/fleet/sync/{resource}');
  await logIn(page); // as the admin, who may audit
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journal des événements' })).toBeVisible();

  // The views are tabs: to the calls with the arrow key, from the selected tab.
  const tabs = page.getByRole('tablist', { name: 'Vues de l’audit' });
  await tabTo(page, tabs.getByRole('tab', { selected: true }), 60);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('heading', { level: 1, name: 'Appels aux fournisseurs' })).toBeVisible();
  expect(page.url()).toBe(`${base()}/audit/appels`);
  await expect(tabs.getByRole('tab', { name: 'Appels aux fournisseurs' })).toBeFocused();

  // The simulator was polled as the stack started: real calls, answered 200.
  const table = page.getByRole('table', { name: 'Appels aux fournisseurs' });
  const answered = table.locator('tbody tr').filter({ has: page.locator('.badge', { hasText: /^200$/ }) }).first();
  await expect(answered).toBeVisible();
  await expect(answered.locator('td[data-label="Plateforme"]')).toHaveText(/^(Uber|Bolt)$/);
  await expect(answered.locator('td[data-label="Requête"]')).toContainText(/^(GET|POST) \S+/);

  // Its response: the text as sent, its content type, and the raw bytes whose SHA-256 is the recorded one.
  await answered.getByRole('button', { name: /^Voir la réponse/ }).click();
  const panel = page.getByRole('region', { name: /^Réponse de l’appel n° \d+$/ });
  await expect(panel.getByRole('heading', { level: 2 })).toBeFocused();
  const body = panel.getByLabel('Corps de la réponse');
  await expect(body).not.toBeEmpty();
  await expect(panel.locator('dd', { hasText: /^(application\/json|text\/csv)/ })).toBeVisible();
  const sha = (await panel.locator('dt', { hasText: 'SHA-256' }).locator('xpath=following-sibling::dd').textContent())!;
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Télécharger la réponse (octets bruts)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^appel-\d+-reponse\.(json|csv)$/);
  const bytes = readFileSync((await file.path())!);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
  expect(bytes.toString('utf-8')).toBe(await body.textContent());
  await expect(page.getByRole('alert')).toHaveCount(0);
  await shot(page, '19-audit-calls');
  await panel.screenshot({ path: resolve(SHOTS, '19-audit-call-body.png') });

  // A real quarantined record: the simulator drops a required field of one record on its next
  // Uber list page: the drivers sync asked for here, or whichever scheduled poll comes first.
  const sim = process.env.E2E_SIM_URL;
  if (sim) {
    expect((await request.post(`${sim}/_sim/chaos`, { data: { provider: 'uber', malformed_next: 1 } })).ok()).toBe(true);
    const login = await request.post(`${base()}/auth/login`, { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    const headers = { Authorization: `Bearer ${(await login.json()).access_token}` };
    expect((await request.post(`${base()}/fleet/sync/drivers`, { headers })).status()).toBe(202);
  }
  try {
    await tabs.getByRole('tab', { name: 'Appels aux fournisseurs' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('heading', { level: 1, name: 'Quarantaine' })).toBeVisible();
    expect(page.url()).toBe(`${base()}/audit/quarantaine`);
    const quarantine = page.getByRole('table', { name: 'Quarantaine' });
    if (!sim) {
      await expect(page.locator('table, .state-empty').first()).toBeVisible();
    } else {
      // Once ingest has polled the armed page. The tabs re-read the list: a reload cannot, as
      // the API server answers /audit/… itself (an API prefix) with a 404 instead of the app.
      await expect(async () => {
        if (!(await quarantine.isVisible())) {
          await tabs.getByRole('tab', { name: 'Appels aux fournisseurs' }).click();
          await tabs.getByRole('tab', { name: 'Quarantaine' }).click();
          await expect(quarantine).toBeVisible({ timeout: 3000 });
        }
      }).toPass({ timeout: 60_000 });
      const row = quarantine.locator('tbody tr').first();
      await expect(row.locator('td[data-label="Plateforme"]')).toHaveText('Uber');
      await expect(row.locator('td[data-label="Ressource"]')).not.toBeEmpty();
      await expect(row.locator('td[data-label="Motif"]')).not.toBeEmpty();
      await row.getByText('Afficher').click();
      await expect(row.getByLabel(/^Enregistrement brut n° \d+$/)).toContainText('{');
    }
    await expect(page.getByRole('alert')).toHaveCount(0);
    await shot(page, '20-audit-quarantine');

    // A phone: no sideways scroll; long records scroll inside their own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoSidewaysScroll(page);
    await shot(page, '21-audit-quarantine-phone');
    await tabs.getByRole('tab', { name: 'Appels aux fournisseurs' }).click();
    await table.locator('tbody tr').filter({ has: page.locator('.badge', { hasText: /^200$/ }) }).first()
      .getByRole('button', { name: /^Voir la réponse/ }).click();
    await expect(panel.getByLabel('Corps de la réponse')).not.toBeEmpty();
    await expectNoSidewaysScroll(page);
    await panel.screenshot({ path: resolve(SHOTS, '22-audit-call-phone.png') });
  } finally {
    if (sim) await request.post(`${sim}/_sim/chaos/reset`, { data: {} });
  }
});

test('the dashboard hosted on another origin logs in and lists drivers; an origin the API does not allow cannot', async ({ page }) => {
  needs('/auth/login', '/fleet/drivers');
  const site = process.env.E2E_SITE_URL!;
  await page.goto(`${site}/`);
  await page.getByLabel('Adresse e-mail').fill(ADMIN_EMAIL);
  await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
  const login = page.waitForResponse((r) => r.url().startsWith(base()) && r.url().endsWith('/auth/login'));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  expect((await login).headers()['access-control-allow-origin']).toBe(site);
  await expect(page.getByRole('heading', { level: 1, name: 'Chauffeurs' })).toBeVisible();
  await reloadUntilVisible(page, page.getByRole('row').nth(1));
  await shot(page, 'hosted-apart');

  await page.goto(`${process.env.E2E_REFUSED_SITE_URL!}/`);
  await page.getByLabel('Adresse e-mail').fill(ADMIN_EMAIL);
  await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Chauffeurs' })).toHaveCount(0);
  await expect(page.getByRole('alert')).toBeVisible();
});

// --- People (issue 14): one person across Uber and Bolt ----------------------------------

/** The people list (Chauffeurs) once the people projection has folded the simulated drivers. */
async function peopleLinks(page: Page) {
  const links = page.locator('a.person-link');
  await reloadUntilVisible(page, links.first());
  return links;
}

test('people: accept a suggestion, and it leaves the list', async ({ page }) => {
  needs('/people/suggestions', '/people/suggestions/{suggestion_id}/accept');
  await logIn(page);
  await page.getByRole('link', { name: 'Suggestions de rattachement' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Suggestions de rattachement' })).toBeVisible();
  // The simulated world has pairs only a name (and a plate) tie: they are suggested.
  const accept = page.getByRole('button', { name: /^Accepter : / });
  await reloadUntilVisible(page, accept.first());
  const label = (await accept.first().getAttribute('aria-label'))!;
  await expect(page.locator('table.suggestions-table tbody tr').first()).toContainText(/même nom/);
  await shot(page, '20-suggestions');
  await accept.first().click();
  await expect(page.getByRole('status').filter({ hasText: /comptes réunis\.$/ })).toBeVisible();
  await expect(page.getByRole('button', { name: label, exact: true })).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('people: "Rattacher" links an unmapped driver to a person by hand', async ({ page }) => {
  needs('/people', '/people/unmapped', '/people/{person_id}/identities');
  await logIn(page);
  const people = await peopleLinks(page);
  const person = (await people.first().textContent())!.trim();
  const link = page.getByRole('button', { name: /^Rattacher / });
  await reloadUntilVisible(page, link.first());
  const driver = (await link.first().getAttribute('aria-label'))!.replace(/^Rattacher /, '');
  await link.first().click();

  const panel = page.getByRole('region', { name: `Rattacher ${driver}` });
  await panel.getByLabel('Chercher le chauffeur').fill(person);
  await panel.getByRole('button', { name: `Rattacher à ${person}` }).first().click();
  await expect(page.getByText(`${driver} est rattaché à ${person}.`)).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await shot(page, '21-linked-by-hand');

  // The person now owns the account: it is on their page, with a link to its driver page.
  await page.locator('a.person-link', { hasText: person }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: person })).toBeVisible();
  await expect(page.getByRole('link', { name: new RegExp(`^${driver} — Fiche `) })).toBeVisible();
});

test('people: a person on both platforms, side by side, one chart, the week and month presets', async ({ page }) => {
  needs('/people', '/people/{person_id}', '/people/{person_id}/activity', '/people/{person_id}/history');
  await logIn(page);
  await peopleLinks(page);
  const both = page
    .locator('table.people-table tbody tr')
    .filter({ has: page.locator('.provider-uber') })
    .filter({ has: page.locator('.provider-bolt') });
  await reloadUntilVisible(page, both.first());
  const personLink = both.first().locator('a.person-link');
  const name = (await personLink.textContent())!.trim();
  await personLink.click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  expect(page.url()).toMatch(/\/chauffeurs\/personnes\/[0-9a-f-]{36}$/);

  // Both platforms' accounts, each linking to its driver page; vehicles as plate and model.
  const uber = page.getByRole('region', { name: 'Uber', exact: true });
  const bolt = page.getByRole('region', { name: 'Bolt', exact: true });
  await expect(uber.getByRole('link', { name: /Fiche Uber$/ }).first()).toBeVisible();
  await expect(bolt.getByRole('link', { name: /Fiche Bolt$/ }).first()).toBeVisible();
  for (const card of await page.locator('.identity-card').all()) {
    await expect(card).not.toContainText(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/);
  }

  // Both platforms' figures and one chart over the chosen days.
  await expect(page.getByRole('list', { name: 'Uber : totaux de la flotte sur la période' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Bolt : totaux de la flotte sur la période' })).toBeVisible();
  const chart = page.locator('figure.chart', { hasText: 'Revenus par jour : Uber et Bolt (brut)' });
  await expect(chart.locator('svg.recharts-surface')).toBeVisible();
  await expect(page.locator('figure.chart')).toHaveCount(1);
  await page.getByLabel('Période prédéfinie').selectOption({ label: 'Semaine dernière' });
  await expect(chart).toHaveAttribute('data-points', /^[0-7]$/);
  await page.getByLabel('Période prédéfinie').selectOption({ label: 'Ce mois-ci' });
  await expect(page.getByLabel('Du', { exact: true })).toHaveValue(/-01$/);
  // The admin reads how this person was made.
  await expect(page.getByRole('table', { name: 'Historique des rattachements' })).toBeVisible();
  await shot(page, '22-person');

  await bolt.getByRole('link', { name: /Fiche Bolt$/ }).first().click();
  expect(page.url()).toMatch(/\/chauffeurs\/bolt\/[^/]+$/);
  await expect(page.getByText('Identifiant chauffeur')).toBeVisible();
});

// --- Pay (issue 16): a week's statements, from draft to approved, its PDF, late data ------

const DAY = 86_400_000;

/** The ISO week (YYYY-Www) of the Paris calendar day holding `instant`. */
function parisWeek(instant: number): string {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(instant).split('-').map(Number);
  const day = Date.UTC(y!, m! - 1, d!);
  const thursday = day + (3 - ((new Date(day).getUTCDay() + 6) % 7)) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  return `${year}-W${String(Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY / 7) + 1).padStart(2, '0')}`;
}

/** Uber's money week of a transaction: Monday 04:00 to Monday 04:00, Paris (no clock change is near 04:00 on a Monday). */
const uberWeek = (processedAt: string) => parisWeek(Date.parse(processedAt) - 4 * 3_600_000);
const nextWeek = (week: string) => parisWeek(Date.parse(`${weekMonday(week)}T12:00:00Z`) + 7 * DAY);

function weekMonday(week: string): string {
  const [year, n] = week.split('-W').map(Number);
  const jan4 = Date.UTC(year!, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY + (n! - 1) * 7 * DAY;
  return new Date(monday).toISOString().slice(0, 10);
}

/** Cents as the PDF writes them: `-1 234,56 €`. */
function pdfEuros(cents: number): string {
  const whole = Math.floor(Math.abs(cents) / 100).toLocaleString('en-US').replace(/,/g, ' ');
  return `${cents < 0 ? '-' : ''}${whole},${String(Math.abs(cents) % 100).padStart(2, '0')} €`;
}

/** A poppler tool's output, or null where it is not installed (CI installs it: there it must be). */
function poppler(tool: string, args: string[]): string | null {
  const run = spawnSync(tool, args, { encoding: 'utf-8' });
  if (run.error && !process.env.CI) return null;
  expect(run.status, `${tool} ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}

type Headers = { Authorization: string };
type Txn = { trip_id: string | null; processed_at: string };

/** A person on Uber and their latest Uber trip that our data holds (transactions are kept from the last 24 hours on). */
async function personWithUberTrip(request: APIRequestContext, headers: Headers, week: string) {
  const page = await (await request.get(`${base()}/settlements?week=${week}`, { headers })).json();
  const since = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
  const until = new Date(Date.now() + DAY).toISOString().slice(0, 10);
  for (const item of page.items as { person_id: string; display_name: string }[]) {
    const person = await (await request.get(`${base()}/people/${item.person_id}`, { headers })).json();
    for (const identity of (person.identities as { provider: string; driver_id: string }[]).filter((i) => i.provider === 'uber')) {
      const url = `${base()}/fleet/drivers/${identity.driver_id}/transactions?from=${since}&to=${until}&limit=500`;
      const found = ((await (await request.get(url, { headers })).json()).items as Txn[]).filter((t) => t.trip_id);
      const latest = found.sort((a, b) => a.processed_at.localeCompare(b.processed_at)).pop();
      if (latest) return { personId: item.person_id, name: item.display_name, driverId: identity.driver_id, trip: latest };
    }
  }
  throw new Error('no person with an Uber trip in the last days: the stack polled no Uber transaction');
}

test('pay: prepare last week, deduct fuel, approve, download the PDF; a late Uber tip lands in the next open week', async ({ page, request }) => {
  needs('/settlements?week', '/settlements/{settlement_id}', '/settlements/{settlement_id}/lines',
    '/settlements/{settlement_id}/approve', '/settlements/{settlement_id}.pdf',
    '/settlements/{settlement_id}/lines/{line_id}/sources', '/people/{person_id}',
    '/fleet/drivers/{driver_id}/transactions', '/fleet/sync/{resource}');
  test.setTimeout(300_000); // a sync of Uber's transactions, then the projector, before the last step
  const sim = process.env.E2E_SIM_URL;
  expect(sim, 'the stack names its simulator').toBeTruthy();
  const login = await request.post(`${base()}/auth/login`, { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const headers = { Authorization: `Bearer ${(await login.json()).access_token}` };
  const lastWeek = parisWeek(Date.now() - 7 * DAY);
  await expect.poll(async () => (await personWithUberTrip(request, headers, lastWeek).catch(() => null)) !== null, { timeout: 60_000 }).toBe(true);
  const who = await personWithUberTrip(request, headers, lastWeek);
  const id = `${lastWeek}_${who.personId}`;

  // Prepare last week: Paie, one week back, every person's draft.
  await logIn(page);
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Paie' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Paie' })).toBeVisible();
  await page.getByRole('button', { name: '← Semaine précédente' }).click();
  await expect(page).toHaveURL(new RegExp(`semaine=${lastWeek}$`));
  await expect(page.locator('caption', { hasText: `Relevés de la semaine ${lastWeek}` })).toBeAttached();
  await shot(page, '30-pay-week');
  await page.locator(`a[href$="/paie/${id}"]`).click();
  await expect(page.getByRole('heading', { level: 1, name: `${who.name} — Relevé de la semaine ${lastWeek}` })).toBeVisible();

  // A fuel deduction with its receipt.
  await page.getByLabel('Catégorie').selectOption({ label: 'Carburant' });
  await page.getByLabel('Libellé').fill('Carburant Total');
  await page.getByLabel('Sens').selectOption({ label: 'À déduire (dû par le chauffeur)' });
  await page.getByLabel('Montant (€)').fill('45,50');
  await page.getByLabel('Référence du justificatif (facultatif)').fill('TICKET-E2E');
  await page.getByRole('button', { name: 'Ajouter la ligne' }).click();
  const fuel = page.getByRole('row', { name: /Carburant Total — justificatif TICKET-E2E/ });
  await expect(fuel).toContainText(/-45,50\s€/);

  // Approve, after the confirmation (the fleet just started: its weeks are incomplete, so a reason).
  // Data may still land in last week meanwhile: a stale draft is a 409, and the page is shown again.
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('button', { name: 'Approuver…' })).toBeVisible();
    const reason = page.getByLabel(/^Semaine incomplète .* pourquoi approuver quand même/);
    if (await reason.isVisible()) await reason.fill('Relevés vérifiés à la main (e2e)');
    await page.getByRole('button', { name: 'Approuver…' }).click();
    const confirm = page.getByRole('alertdialog');
    await expect(confirm).toContainText(`Approuver le relevé de ${who.name} pour la semaine ${lastWeek}`);
    await confirm.getByRole('button', { name: 'Confirmer l’approbation' }).click();
    await expect(page.locator('.statement-summary').getByText('Approuvé', { exact: true })).toBeVisible({ timeout: 5000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Ajouter la ligne' })).toHaveCount(0); // frozen
  await shot(page, '31-pay-approved');
  const approved = await (await request.get(`${base()}/settlements/${id}`, { headers })).json();
  expect(approved.status).toBe('approved');

  // The PDF: a PDF whose text has the driver, the fuel line, the balance, the status and its id.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Télécharger le relevé (PDF)' }).click();
  const file = (await (await download).path())!;
  expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const text = poppler('pdftotext', ['-layout', file, '-']);
  if (text !== null) {
    const balance: number = approved.statement.balance;
    for (const expected of [who.name, 'Carburant Total — justificatif TICKET-E2E', '-45,50 €', `Relevé de la semaine ${lastWeek}`,
      `${balance >= 0 ? 'Net à verser' : 'Solde dû'}`, pdfEuros(Math.abs(balance)), 'Statut : Approuvé', `Relevé ${id}`]) {
      expect(text, 'the PDF statement').toContain(expected);
    }
  }
  poppler('pdftoppm', ['-png', '-r', '70', '-singlefile', file, resolve(SHOTS, '32-pay-statement-pdf')]);

  // A late tip: Uber pays one now for the person's trip. The trip's week must be approved first
  // (last week, or this week when our data holds no trip of last week: Uber's transactions are
  // kept for 24 hours and the fleet has just started).
  const tripWeek = uberWeek(who.trip.processed_at);
  if (tripWeek !== lastWeek) {
    const tripId = `${tripWeek}_${who.personId}`;
    await expect(async () => {
      const shown = await request.get(`${base()}/settlements/${tripId}`, { headers });
      const answer = await request.post(`${base()}/settlements/${tripId}/approve`, {
        headers: { ...headers, 'If-Match': shown.headers()['etag']! },
        data: { override_reason: 'Semaine en cours approuvée pour le test (e2e)' },
      });
      expect(answer.status(), await answer.text()).toBe(200);
    }).toPass({ timeout: 30_000 });
  }
  const tip = await request.post(`${sim}/_sim/uber/late-tip`, {
    data: { driver_id: who.driverId, trip_id: who.trip.trip_id, amount_cents: 345 },
  });
  expect(tip.ok(), await tip.text()).toBe(true);
  const tipped = (await tip.json()) as { transaction_uuid: string };

  // It reaches the log at the next transactions sync, and the next open week regularises it.
  // Other tips of a running week may be regularised first: wait for this one among the sources.
  const next = `${nextWeek(tripWeek)}_${who.personId}`;
  const label = `Régularisation semaine ${tripWeek} : Pourboires Uber`;
  const lineId = `reg:${tripWeek}:uber:tips`;
  let regularised: { line_id: string; amount: number } | undefined;
  await expect(async () => {
    expect((await request.post(`${base()}/fleet/sync/transactions`, { headers })).status()).toBe(202);
    const statement = (await (await request.get(`${base()}/settlements/${next}`, { headers })).json()).statement;
    regularised = statement.lines.find((x: { line_id: string }) => x.line_id === lineId);
    expect(regularised, 'the regularisation line').toBeTruthy();
    const sources = await (await request.get(`${base()}/settlements/${next}/lines/${lineId}/sources`, { headers })).json();
    expect(JSON.stringify(sources.events)).toContain(tipped.transaction_uuid);
  }).toPass({ timeout: 90_000 });
  expect(regularised?.amount ?? 0).toBeGreaterThanOrEqual(345); // more tips of a running week may have come too
  await page.goto(`${base()}/paie/${next}`);
  const line = page.getByRole('row', { name: new RegExp(label) });
  await expect(line).toBeVisible();
  // The approved week itself did not move.
  const again = await (await request.get(`${base()}/settlements/${tripWeek}_${who.personId}`, { headers })).json();
  expect(again.status).toBe('approved');
  expect(again.statement.lines.some((x: { kind: string }) => x.kind === 'regularisation' && x.label.startsWith(`Régularisation semaine ${tripWeek}`))).toBe(false);
  await shot(page, '33-pay-late-tip');
});
