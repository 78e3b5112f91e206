/*
 * Read-only maps of one point: every <div class="case-map" data-lat data-lon data-tile-url data-attribution
 * data-text-zoom-in data-text-zoom-out>.
 * An empty data-tile-url (tests, offline installs) draws the pin without a background.
 * Also shared with report-form.js through window.huesmartMap.
 */
(function () {
  "use strict";

  function pinIcon() {
    // A CSS pin (static/css/site.css, .map-pin): no image paths to resolve under hashed static names.
    return L.divIcon({ className: "map-pin", iconSize: [28, 28], iconAnchor: [14, 28] });
  }

  // Leaflet's own buttons say "Zoom in" / "Zoom out": the page's words (data-text-zoom-in/out) instead. For a map
  // made with zoomControl: false.
  function addZoom(map, el) {
    L.control.zoom({ zoomInTitle: el.dataset.textZoomIn || "+", zoomOutTitle: el.dataset.textZoomOut || "-" }).addTo(map);
  }

  function addTiles(map, el) {
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
  }

  function render(el) {
    if (el.dataset.rendered) {
      return;
    }
    var lat = parseFloat(el.dataset.lat);
    var lon = parseFloat(el.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon)) {
      return;
    }
    var map = L.map(el, {
      scrollWheelZoom: false,
      // On a phone a one-finger drag scrolls the page instead of moving the map.
      dragging: !L.Browser.mobile,
      zoomControl: false,
    });
    addZoom(map, el);
    map.setView([lat, lon], 16);
    addTiles(map, el);
    L.marker([lat, lon], { icon: pinIcon(), interactive: false, keyboard: false }).addTo(map);
    el.dataset.rendered = "true";
  }

  function renderAll(root) {
    (root || document).querySelectorAll(".case-map").forEach(render);
  }

  if (typeof window.L === "undefined") {
    return;
  }
  window.huesmartMap = { pinIcon: pinIcon, addTiles: addTiles, addZoom: addZoom, render: render, renderAll: renderAll };
  renderAll(document);
})();
