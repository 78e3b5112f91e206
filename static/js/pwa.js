/*
 * On every page: registers the service worker (reports/pwa_views.py serves static/js/sw.js at the address in
 * data-sw, the site's root, so that it can answer for the report page offline).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script || !script.dataset.sw) {
    return;
  }
  var url = script.dataset.sw;

  function register() {
    // updateViaCache "none": the scripts the worker imports are checked on the server too, not in the HTTP cache.
    navigator.serviceWorker.register(url, { scope: "/", updateViaCache: "none" }).catch(function () {
      // No worker (a private window, an old browser, http on another host): the site works as before, online.
    });
  }

  if (document.readyState === "complete") {
    register();
  } else {
    // After the page's own loading: installing fetches the files kept for offline use.
    window.addEventListener("load", register);
  }
})();
