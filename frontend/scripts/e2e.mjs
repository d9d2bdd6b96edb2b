// `npm run e2e`: Playwright in headless Debian Chromium against the real stack.
// Needs `make install` (../.venv) and a built dist/ (`npm run build`). Without Chromium the
// run is skipped with a hint, except in CI (CI=true), where a missing browser is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ci = process.env.CI === 'true';

if (!existsSync(chromium)) {
  const hint = `e2e: no Chromium at ${chromium}; install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`;
  if (ci) {
    console.error(`${hint} — required in CI`);
    process.exit(1);
  }
  console.log(`${hint} — skipping the end-to-end tests`);
  process.exit(0);
}
for (const [path, fix] of [
  [join(frontend, '..', '.venv', 'bin', 'fleet'), 'run `make install` at the repository root'],
  [join(frontend, 'dist', 'index.html'), 'run `npm run build`'],
]) {
  if (!existsSync(path)) {
    console.error(`e2e: ${path} is missing: ${fix}`);
    process.exit(1);
  }
}
const result = spawnSync(
  join(frontend, 'node_modules', '.bin', 'playwright'),
  ['test', '-c', 'e2e/playwright.config.ts', ...process.argv.slice(2)],
  { cwd: frontend, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
