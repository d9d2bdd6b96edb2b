// Playwright global setup: the REAL stack (`fleet up`: embedded PostgreSQL, NATS, simulator,
// ingest, relay, projector, API serving frontend/dist) in a temporary state folder, on a
// free port, with known admin credentials. Returns the teardown (Ctrl-C, then wait).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ADMIN_EMAIL = 'e2e-admin@aadenis.test';
export const ADMIN_PASSWORD = 'e2e-Password-1234567';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
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

export default async function globalSetup(): Promise<() => Promise<void>> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fleet-e2e-'));
  const port = await freePort();
  const child = spawn(join(REPO, '.venv', 'bin', 'fleet'), ['up'], {
    cwd: REPO,
    detached: true, // own process group, so teardown stops everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      FLEET_STATE_DIR: stateDir,
      FLEET_API_PORT: String(port),
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
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  process.env.E2E_BASE_URL = baseURL;
  // The simulator's control endpoints (/_sim/…), for scenarios that arm its faults.
  process.env.E2E_SIM_URL = /simulator on (http\S+)/.exec(log.join(''))?.[1] ?? '';
  process.env.E2E_API_SPEC = JSON.stringify(spec.paths);
  return async () => {
    await stop(child);
    rmSync(stateDir, { recursive: true, force: true });
  };
}
