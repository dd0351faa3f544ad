// Starts a real `fornax serve` on a free loopback port, in a directory of its own
// (models, prediction log).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * `web: false` serves the API only; `dist` serves another build of the app than
 * FORNAX_WEB's; `args` are extra flags; `env` extra variables.
 */
export async function startServer({ web = true, dist = process.env.FORNAX_WEB, args = [], env = {} } = {}) {
  const bin = process.env.FORNAX_BIN;
  if (!bin || !dist) throw new Error('run through `cargo xtask test` (FORNAX_BIN and FORNAX_WEB are not set)');
  const dir = mkdtempSync(join(tmpdir(), 'fornax-e2e-server-'));
  const flags = ['serve', '--addr', '127.0.0.1:0', '--models', join(dir, 'models'), ...(web ? ['--web', dist] : []), ...args];
  const child = spawn(bin, flags, {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: dir,
    env: { ...process.env, FORNAX_TOKEN: '', FORNAX_LOG: 'warn', ...env },
  });
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = line.match(/http:\/\/[0-9.:]+/);
      if (match) resolve(match[0]);
    });
    child.on('exit', (code) => reject(new Error(`fornax serve exited with ${code}`)));
  });
  return {
    url,
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
