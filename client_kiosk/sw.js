/* The candidate page's offline shell (served as /kiosk-sw.js; the server fills in SHELL and
 * VERSION). Network first, so a page fixed on exam morning reaches every terminal with its next
 * load; the last good copy only when the server cannot be reached, so a reload or a browser
 * restart during an outage shows the page's own "server unreachable: answers are safe, do not
 * switch off the computer" screen instead of Chrome's error page. Only the page and /kiosk/
 * files are handled: Socket.IO, the console and everything else go to the network untouched. */
'use strict';
const SHELL = __SHELL__;
const CACHE = 'kiosk-shell-' + __VERSION__;
const NETWORK_WAIT_MS = 4000;  // a cut cable can leave a request hanging: fall back after this

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((u) => new Request(u, { cache: 'no-cache' }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('kiosk-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function shellKey(url) {
  if (url.origin !== self.location.origin) return null;
  if (url.pathname === '/') return '/';  // ?seat=N: one page for every seat
  if (url.pathname.startsWith('/kiosk/')) return url.pathname;
  return null;
}

function fromNetwork(request) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), NETWORK_WAIT_MS);
    fetch(request, { cache: 'no-cache' }).then((resp) => { clearTimeout(timer); resolve(resp); },
      (err) => { clearTimeout(timer); reject(err); });
  });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const key = shellKey(new URL(request.url));
  if (key === null) return;
  event.respondWith(
    fromNetwork(request).then((resp) => {
      if (resp.ok) {
        const copy = resp.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
      }
      return resp;
    }).catch(() => caches.open(CACHE)
      .then((cache) => cache.match(key))
      .then((hit) => hit || Response.error()))
  );
});
