// Starts a real `fornax serve` on a free loopback port, serving the built app.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export async function startServer() {
  const bin = process.env.FORNAX_BIN;
  const web = process.env.FORNAX_WEB;
  if (!bin || !web) throw new Error('run through `cargo xtask test` (FORNAX_BIN and FORNAX_WEB are not set)');
  const models = mkdtempSync(join(tmpdir(), 'fornax-e2e-server-'));
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--web', web, '--models', join(models, 'models')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: models, // where its prediction log goes
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
      rmSync(models, { recursive: true, force: true });
    },
  };
}
