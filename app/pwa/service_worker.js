// Fornax's service worker: the whole build, cached on first visit, served cache-first,
// so the studio loads and trains with no network. The build hook
// (write_service_worker.mjs) puts VERSION and FILES in front of this file; a new build
// has a new VERSION, so the browser sees a changed worker and installs it beside the
// old one.
//
// Updates never mix builds: each build has its own cache, a page keeps the cache it
// was loaded from until the user accepts "reload to update" (the page then posts
// 'skip-waiting'), and activation deletes every other build's cache.

const CACHE = `fornax-${VERSION}`;
const FILES_SET = new Set(FILES);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // `reload` skips the HTTP cache: a stale copy must never enter a new build's cache.
      cache.addAll(FILES.map((path) => new Request(path, { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('fornax-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // A page load of the studio (any path the server would answer with index.html) gets
  // the cached index.html; the API, /docs and /metrics always go to the network.
  const path = request.mode === 'navigate' && isStudioPage(url.pathname) ? '/index.html' : url.pathname;
  if (!FILES_SET.has(path)) return;
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(path).then((cached) => cached || fetch(request)),
    ),
  );
});

function isStudioPage(pathname) {
  return pathname === '/' || pathname === '/index.html';
}
