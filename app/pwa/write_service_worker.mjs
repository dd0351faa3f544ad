// Trunk's post_build hook: writes sw.js into the build with the list of every file of
// that build (trunk hashes file names, so the list is never written by hand) and a
// version derived from their contents. Run by trunk with TRUNK_STAGING_DIR set; also
// runnable by hand: TRUNK_STAGING_DIR=dist node app/pwa/write_service_worker.mjs
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('write_service_worker: TRUNK_STAGING_DIR is not set (trunk sets it for hooks)');
  process.exit(1);
}
const publicUrl = (process.env.TRUNK_PUBLIC_URL || '/').replace(/\/?$/, '/');
const WORKER = 'sw.js';

function walk(path, out) {
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

const digest = createHash('sha256');
const files = [];
for (const full of walk(dir, [])) {
  const rel = relative(dir, full).split(sep).join('/');
  if (rel === WORKER || rel.endsWith('.tmp')) continue;
  // Names go into a JavaScript string and a URL: refuse anything surprising.
  if (!/^[A-Za-z0-9._\/-]+$/.test(rel)) {
    console.error(`write_service_worker: unexpected file name in the build: ${rel}`);
    process.exit(1);
  }
  digest.update(rel).update('\0').update(readFileSync(full)).update('\0');
  files.push(publicUrl + rel);
}
const version = digest.digest('hex').slice(0, 16);
const body = readFileSync(new URL('./service_worker.js', import.meta.url), 'utf8');
const header = `const VERSION = ${JSON.stringify(version)};\nconst FILES = ${JSON.stringify(files, null, 1)};\n\n`;
// Written whole, then renamed: a served directory never has half a worker.
const target = join(dir, WORKER);
writeFileSync(`${target}.tmp`, header + body);
renameSync(`${target}.tmp`, target);
console.log(`write_service_worker: ${files.length} files precached, version ${version}`);
