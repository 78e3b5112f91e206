/*
 * The service worker, served at /sw.js by reports/pwa_views.py, which puts self.HUESMART_SW above this file: the
 * cache's version (a digest of the files it keeps), the report page, the offline page and the static files to keep.
 *
 * - The report page opens without a network: network first, the kept copy when the network fails or is slow.
 * - Other pages: the network, and the offline page when it fails. Nothing else is ever put in the cache: no
 *   reporter's page (their address holds a secret token), no signed-in page, no answer to a POST.
 * - Static files it keeps: from the cache (their content is in the version; in production their names too).
 * - Reports waiting on the phone are sent on Background Sync (static/js/offline-queue.js).
 * - Push messages {"title", "body", "url"} become notifications; a tap opens or focuses the url on this site.
 */
/* global HUESMART_SW, huesmartQueue */
(function () {
  "use strict";

  var config = self.HUESMART_SW;
  var PREFIX = "huesmart-";
  var CACHE = PREFIX + config.version;
  // A slow network still gets the page within this, from the cache; the fresh copy is kept for next time.
  var PAGE_TIMEOUT_MS = 6000;
  // Belt and braces: even a page on the list is never kept under these addresses.
  var PRIVATE = /^\/(me|centre|inbox|accounts|admin|api|uploads|media)\/|\/follow\/|\/messages\/|\/report\/sent\/|token/i;

  importScripts(config.queueScript);

  var staticUrls = {};
  config.static.forEach(function (url) {
    staticUrls[new URL(url, self.location.origin).pathname] = true;
  });

  self.addEventListener("install", function (event) {
    event.waitUntil(
      caches
        .open(CACHE)
        .then(function (cache) {
          var requests = config.pages.concat(config.static).map(function (url) {
            // Revalidated, not taken from the HTTP cache unchecked: the version promises this content.
            return new Request(url, { cache: "no-cache", credentials: "same-origin" });
          });
          return cache.addAll(requests);
        })
        .then(function () {
          return self.skipWaiting();
        })
    );
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(
      caches
        .keys()
        .then(function (names) {
          return Promise.all(
            names
              .filter(function (name) {
                return name.indexOf(PREFIX) === 0 && name !== CACHE;
              })
              .map(function (name) {
                return caches["delete"](name);
              })
          );
        })
        .then(function () {
          return self.clients.claim();
        })
    );
  });

  function cached(url) {
    // Django's pages vary on Cookie and Accept-Language; the copy kept is the one to show, whatever they say.
    return caches.open(CACHE).then(function (cache) {
      return cache.match(url, { ignoreVary: true, ignoreSearch: true });
    });
  }

  function offlinePage() {
    return cached(config.offlineUrl).then(function (response) {
      return response || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  }

  function keep(url, response) {
    if (PRIVATE.test(url.pathname) || url.search || response.status !== 200 || response.type !== "basic") {
      return;
    }
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) {
      return cache.put(url.pathname, copy);
    });
  }

  function reportPage(request) {
    var url = new URL(request.url);
    var network = fetch(request);
    var timeout = new Promise(function (resolve, reject) {
      setTimeout(reject, PAGE_TIMEOUT_MS);
    });
    network
      .then(function (response) {
        keep(url, response);
      })
      .catch(function () {});
    function keptCopy() {
      return cached(config.submitUrl).then(function (response) {
        return response || network.catch(offlinePage);
      });
    }
    return Promise.race([network, timeout]).then(function (response) {
      // The server down (the database outage page): the kept form still lets the citizen write a report that waits.
      return response.status >= 500 ? keptCopy().then(function (kept) {
        return kept || response;
      }) : response;
    }, keptCopy);
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    // POSTs (a report, a rating, a sign-in) always go to the network, and their answers are never kept.
    if (request.method !== "GET") {
      return;
    }
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) {
      return;
    }
    if (request.mode === "navigate") {
      if (url.pathname === config.submitUrl && !url.search) {
        event.respondWith(reportPage(request));
      } else {
        event.respondWith(
          fetch(request).catch(function () {
            return offlinePage();
          })
        );
      }
      return;
    }
    if (staticUrls[url.pathname]) {
      event.respondWith(
        cached(url.pathname).then(function (response) {
          return response || fetch(request);
        })
      );
    }
  });

  self.addEventListener("sync", function (event) {
    if (event.tag !== huesmartQueue.SYNC_TAG) {
      return;
    }
    event.waitUntil(
      huesmartQueue.flush().then(function (waiting) {
        if (waiting > 0) {
          // Rejecting asks the browser to fire the sync again later.
          throw new Error("Reports still waiting");
        }
      })
    );
  });

  // Only addresses on this site: a notification never sends the citizen elsewhere.
  function sameSite(url) {
    try {
      var target = new URL(url || "/", self.location.origin);
      return target.origin === self.location.origin ? target.href : self.location.origin + "/";
    } catch (error) {
      return self.location.origin + "/";
    }
  }

  self.addEventListener("push", function (event) {
    var data = {};
    if (event.data) {
      try {
        data = event.data.json() || {};
      } catch (error) {
        data = { body: event.data.text() };
      }
    }
    event.waitUntil(
      self.registration.showNotification(String(data.title || "huesmart"), {
        body: String(data.body || ""),
        icon: config.icon,
        badge: config.icon,
        data: { url: sameSite(data.url) },
      })
    );
  });

  self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    var url = sameSite(event.notification.data && event.notification.data.url);
    event.waitUntil(
      self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
        for (var i = 0; i < windows.length; i += 1) {
          if (windows[i].url === url && "focus" in windows[i]) {
            return windows[i].focus();
          }
        }
        return self.clients.openWindow(url);
      })
    );
  });
})();
