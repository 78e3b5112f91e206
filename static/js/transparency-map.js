/*
 * The transparency map: <div id="transparency-map" data-source data-case-url data-center-lat data-center-lon
 * data-tile-url data-attribution data-text-*>. Asks data-source for the cases in the visible box with the page's
 * filters (the form #map-filters); draws points in clusters, or the server's grid of counts when the box holds
 * too many cases to send; lists the points under the map (#map-list). map.json sends codes (it is cached for every
 * language): the names of categories and states are those of the filter form's options, already in the page's
 * language, and counts are written the page language's way (1.234 in Vietnamese).
 */
(function () {
  "use strict";

  var el = document.getElementById("transparency-map");
  if (!el || typeof window.L === "undefined") {
    return;
  }
  var statusEl = document.getElementById("map-status");
  var listEl = document.getElementById("map-list");
  var form = document.getElementById("map-filters");
  var LIST_SIZE = 50;

  // maxZoom is set here, not only by the tile layer: clustering needs it even when no tile URL is configured.
  var map = L.map(el, { scrollWheelZoom: false, maxZoom: 19, zoomControl: false });
  // Leaflet's own buttons say "Zoom in" / "Zoom out": the page's words instead.
  L.control.zoom({ zoomInTitle: el.dataset.textZoomIn || "+", zoomOutTitle: el.dataset.textZoomOut || "-" }).addTo(map);
  map.setView([parseFloat(el.dataset.centerLat), parseFloat(el.dataset.centerLon)], 13);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
  }
  var clusters = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.layerGroup();
  var grid = L.layerGroup();
  clusters.addTo(map);
  grid.addTo(map);

  var numberFormat = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || undefined) : null;

  function number(n) {
    return numberFormat ? numberFormat.format(n) : String(n);
  }

  function optionLabels(name) {
    var labels = {};
    var select = form ? form.elements[name] : null;
    if (select && select.options) {
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value) {
          labels[option.value] = option.textContent.trim();
        }
      });
    }
    return labels;
  }
  var categoryNames = optionLabels("category");
  var stateNames = optionLabels("state");

  function pinIcon() {
    return L.divIcon({ className: "map-pin", iconSize: [28, 28], iconAnchor: [14, 28] });
  }

  function caseUrl(code) {
    return el.dataset.caseUrl.replace("CODE", encodeURIComponent(code));
  }

  function filterQuery() {
    var params = new URLSearchParams();
    if (form) {
      new FormData(form).forEach(function (value, key) {
        if (value) {
          params.set(key, value);
        }
      });
    }
    return params;
  }

  function cellIcon(count) {
    var size = count < 100 ? 36 : count < 1000 ? 44 : 54;
    return L.divIcon({
      className: "grid-cell",
      html: "<span>" + number(count) + "</span>",
      iconSize: [size, size],
    });
  }

  function showList(points) {
    listEl.textContent = "";
    points.slice(0, LIST_SIZE).forEach(function (p) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = caseUrl(p.code);
      a.textContent = p.code;
      li.appendChild(a);
      var category = categoryNames[p.category] || p.category;
      var state = stateNames[p.state] || p.state;
      li.appendChild(document.createTextNode(" · " + category + " · " + state));
      listEl.appendChild(li);
    });
  }

  var pending = null;
  function load() {
    var b = map.getBounds();
    var params = filterQuery();
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
      return v.toFixed(6);
    }).join(","));
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    fetch(el.dataset.source + "?" + params.toString(), { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        clusters.clearLayers();
        grid.clearLayers();
        if (data.kind === "grid") {
          data.cells.forEach(function (c) {
            L.marker([c.lat, c.lon], { icon: cellIcon(c.count), keyboard: false })
              .on("click", function () { map.setView([c.lat, c.lon], map.getZoom() + 2); })
              .addTo(grid);
          });
          listEl.textContent = "";
          statusEl.textContent = number(data.count) + " " + el.dataset.textCount + ". " + el.dataset.textMany;
        } else {
          var markers = data.points.map(function (p) {
            var m = L.marker([p.lat, p.lon], { icon: pinIcon(), title: p.code });
            var link = document.createElement("a");
            link.href = caseUrl(p.code);
            link.textContent = p.code;
            m.bindPopup(link);
            return m;
          });
          if (clusters.addLayers) {
            clusters.addLayers(markers);
          } else {
            markers.forEach(function (m) { clusters.addLayer(m); });
          }
          showList(data.points);
          statusEl.textContent = number(data.count) + " " + el.dataset.textCount;
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          statusEl.textContent = el.dataset.textError;
        }
      });
  }

  map.on("moveend", load);
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      history.replaceState(null, "", "?" + filterQuery().toString());
      load();
    });
  }
  load();
})();
