// Playwright global setup: the REAL stack (`fleet up`: embedded PostgreSQL, NATS, simulator,
// ingest, relay, projector, API serving frontend/dist) in a temporary state folder, on a
// free port, with known admin credentials. Returns the teardown (Ctrl-C, then wait).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ADMIN_EMAIL = 'e2e-admin@aadenis.test';
export const ADMIN_PASSWORD = 'e2e-Password-1234567';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FRONTEND = join(REPO, 'frontend');
const UP_TIMEOUT_MS = 180_000;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

function waitForUp(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`fleet up not ready after ${UP_TIMEOUT_MS} ms:\n${log.join('')}`)), UP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      log.push(text);
      if (process.env.E2E_VERBOSE) process.stderr.write(text);
      const m = /Fleet Manager is up: (http\S+)/.exec(log.join(''));
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`fleet up exited (${code}) before it was up:\n${log.join('')}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      ok();
    });
    process.kill(-child.pid!, 'SIGINT'); // the whole group: fleet up and the servers it started
  });
}

/** The running API's OpenAPI document; a run without it would check the scenarios against nothing. */
async function openApiDocument(baseURL: string): Promise<{ paths: Record<string, unknown> }> {
  const answer = await fetch(`${baseURL}/openapi.json`);
  const spec = answer.ok ? ((await answer.json()) as { paths?: Record<string, unknown> }) : {};
  if (!spec.paths || Object.keys(spec.paths).length === 0) {
    throw new Error(`${baseURL}/openapi.json answered ${answer.status} without paths: the scenarios need the API's routes`);
  }
  return { paths: spec.paths };
}

/**
 * The dashboard hosted apart from the API, as a fleet may host it: built with
 * VITE_API_BASE_URL pointing at the API, served by a plain static server on another port.
 */
function buildHostedApart(apiUrl: string): string {
  const outDir = mkdtempSync(join(tmpdir(), 'fleet-e2e-site-'));
  const built = spawnSync(join(FRONTEND, 'node_modules', '.bin', 'vite'), ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: FRONTEND,
    env: { ...process.env, VITE_API_BASE_URL: apiUrl },
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('could not build the dashboard hosted apart');
  return outDir;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** A static server of `root` on `port`: its files, else index.html (client-side routes). */
function serveStatic(root: string, port: number): Promise<Server> {
  const server = createHttpServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = join(root, path);
    const found = file.startsWith(root) && existsSync(file) && !file.endsWith('/') && path !== '/' ? file : join(root, 'index.html');
    response.writeHead(200, { 'content-type': TYPES[found.slice(found.lastIndexOf('.'))] ?? 'application/octet-stream' });
    response.end(readFileSync(found));
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fleet-e2e-'));
  const port = await freePort();
  // Two other origins serving the dashboard hosted apart: the API allows the first only.
  const [allowedPort, refusedPort] = [await freePort(), await freePort()];
  const siteDir = buildHostedApart(`http://127.0.0.1:${port}`);
  const sites = [await serveStatic(siteDir, allowedPort), await serveStatic(siteDir, refusedPort)];
  const child = spawn(join(REPO, '.venv', 'bin', 'fleet'), ['up'], {
    cwd: REPO,
    detached: true, // own process group, so teardown stops everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      FLEET_STATE_DIR: stateDir,
      FLEET_API_PORT: String(port),
      FLEET_CORS_ORIGINS: `http://127.0.0.1:${allowedPort}`,
      FLEET_ADMIN_EMAIL: ADMIN_EMAIL,
      FLEET_ADMIN_PASSWORD: ADMIN_PASSWORD,
    },
  });
  const log: string[] = [];
  let baseURL: string;
  let spec: { paths: Record<string, unknown> };
  try {
    baseURL = await waitForUp(child, log);
    // The routes the API offers: each scenario fails when one it drives is missing (needs()).
    spec = await openApiDocument(baseURL);
  } catch (error) {
    await stop(child);
    sites.forEach((site) => site.close());
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(siteDir, { recursive: true, force: true });
    throw error;
  }
  process.env.E2E_BASE_URL = baseURL;
  // The simulator's control endpoints (/_sim/…), for scenarios that arm its faults.
  process.env.E2E_SIM_URL = /simulator on (http\S+)/.exec(log.join(''))?.[1] ?? '';
  process.env.E2E_API_SPEC = JSON.stringify(spec.paths);
  process.env.E2E_SITE_URL = `http://127.0.0.1:${allowedPort}`;
  process.env.E2E_REFUSED_SITE_URL = `http://127.0.0.1:${refusedPort}`;
  return async () => {
    await stop(child);
    sites.forEach((site) => site.close());
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(siteDir, { recursive: true, force: true });
  };
}
