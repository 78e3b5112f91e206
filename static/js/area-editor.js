/*
 * The centre's area maps (templates/dashboard/areas/).
 *
 * <div class="areas-map" data-geojson-url data-area-url data-bounds data-tile-url data-attribution>:
 *   every area on one map, coloured by level; a click opens the area's page (data-area-url with __code__).
 *
 * <div class="area-editor" data-geometry-input data-status data-code data-context-url data-bounds data-tile-url
 *      data-attribution data-changed-text data-empty-text data-texts>:
 *   one area's boundary, editable with leaflet-geoman. The hidden input named by data-geometry-input holds the
 *   boundary as a GeoJSON Polygon or MultiPolygon (lon/lat) and is rewritten after every change; the server
 *   checks it again on save. Neighbouring areas (data-context-url, without data-code) are drawn in grey and
 *   cannot be edited. window.huesmartAreaEditor exposes the map and the editable layers.
 *
 * An empty data-tile-url (tests, offline installs) draws the areas without a background.
 */
(function () {
  "use strict";

  var LEVEL_STYLES = {
    city: { color: "#5b2a86", weight: 3, fill: false },
    district: { color: "#1e3a8a", weight: 2, fillOpacity: 0.05 },
    ward: { color: "#0f766e", weight: 1.5, fillOpacity: 0.2 },
  };
  var CONTEXT_STYLE = { color: "#6b7280", weight: 1, dashArray: "4 4", fillOpacity: 0.05 };
  var EDITED_STYLE = { color: "#b45309", weight: 3, fillOpacity: 0.25 };
  // GeoJSON from Leaflet keeps 7 decimals (about 1 cm), finer than a case's place.
  var PRECISION = 7;

  function addTiles(map, el) {
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
  }

  function cityBounds(el) {
    var parts = (el.dataset.bounds || "").split(",").map(parseFloat);
    if (parts.length !== 4 || !parts.every(isFinite)) {
      return null;
    }
    // settings.CITY_BOUNDS: south, west, north, east.
    return L.latLngBounds([parts[0], parts[1]], [parts[2], parts[3]]);
  }

  function areaName(properties) {
    var english = (document.documentElement.lang || "").indexOf("en") === 0;
    return (english ? properties.name_en : properties.name_vi) || properties.code;
  }

  function textTooltip(text) {
    // A text node, never HTML: names come from an imported file.
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        throw new Error("HTTP " + r.status + " for " + url);
      }
      return r.json();
    });
  }

  // --- Every area --------------------------------------------------------------------------------------

  function renderOverview(el) {
    var map = L.map(el, { scrollWheelZoom: false });
    addTiles(map, el);
    var bounds = cityBounds(el);
    if (bounds) {
      map.fitBounds(bounds);
    } else {
      map.setView([0, 0], 2);
    }
    getJSON(el.dataset.geojsonUrl)
      .then(function (data) {
        // Larger areas first, so the wards lie on top and take the clicks.
        var order = { city: 0, district: 1, ward: 2 };
        data.features.sort(function (a, b) {
          return (order[a.properties.level] || 0) - (order[b.properties.level] || 0);
        });
        var layer = L.geoJSON(data, {
          style: function (feature) {
            return LEVEL_STYLES[feature.properties.level] || LEVEL_STYLES.ward;
          },
          onEachFeature: function (feature, featureLayer) {
            featureLayer.bindTooltip(textTooltip(areaName(feature.properties)), { sticky: true });
            featureLayer.on("click", function () {
              window.location.href = el.dataset.areaUrl.replace("__code__", encodeURIComponent(feature.properties.code));
            });
          },
        }).addTo(map);
        if (layer.getBounds().isValid()) {
          map.fitBounds(layer.getBounds());
        }
        el.dataset.loaded = "true";
      })
      .catch(function (error) {
        el.dataset.loaded = "error";
        if (window.console) {
          window.console.warn("Areas could not be loaded:", error);
        }
      });
  }

  // --- One area's editor -------------------------------------------------------------------------------

  function geometryOf(group, map) {
    var polygons = [];
    group.eachLayer(function (layer) {
      if (!(layer instanceof L.Polygon) || !map.hasLayer(layer)) {
        return;
      }
      var geometry = layer.toGeoJSON(PRECISION).geometry;
      if (geometry.type === "Polygon") {
        polygons.push(geometry.coordinates);
      } else if (geometry.type === "MultiPolygon") {
        polygons.push.apply(polygons, geometry.coordinates);
      }
    });
    if (!polygons.length) {
      return null;
    }
    if (polygons.length === 1) {
      return { type: "Polygon", coordinates: polygons[0] };
    }
    return { type: "MultiPolygon", coordinates: polygons };
  }

  function readGeometry(input) {
    if (!input.value) {
      return null;
    }
    try {
      return JSON.parse(input.value);
    } catch (error) {
      return null;
    }
  }

  function texts(el) {
    try {
      return el.dataset.texts ? JSON.parse(el.dataset.texts) : null;
    } catch (error) {
      return null;
    }
  }

  function renderEditor(el) {
    var input = document.getElementById(el.dataset.geometryInput);
    var status = el.dataset.status ? document.getElementById(el.dataset.status) : null;
    if (!input || !L.PM) {
      return;
    }
    var map = L.map(el, { scrollWheelZoom: false });
    addTiles(map, el);
    // Neighbours in their own pane, under the edited area, so they never take its clicks.
    map.createPane("context");
    map.getPane("context").style.zIndex = 350;
    map.getPane("context").style.pointerEvents = "none";

    var editable = L.featureGroup().addTo(map);

    function say(text) {
      if (status) {
        status.textContent = text || "";
      }
    }

    function sync() {
      var geometry = geometryOf(editable, map);
      input.value = geometry ? JSON.stringify(geometry) : "";
      input.dispatchEvent(new Event("change", { bubbles: true }));
      say(geometry ? el.dataset.changedText : el.dataset.emptyText);
      return geometry;
    }

    function watch(layer) {
      layer.setStyle && layer.setStyle(EDITED_STYLE);
      layer.on("pm:edit pm:dragend pm:rotateend", sync);
      editable.addLayer(layer);
    }

    var initial = readGeometry(input);
    if (initial) {
      L.geoJSON(initial).eachLayer(watch);
    }

    var lang = texts(el);
    if (lang) {
      map.pm.setLang("huesmart", lang, "en");
    }
    map.pm.setGlobalOptions({ allowSelfIntersection: false, snappable: true, snapDistance: 15 });
    map.pm.addControls({
      position: "topleft",
      drawMarker: false,
      drawCircleMarker: false,
      drawPolyline: false,
      drawCircle: false,
      drawText: false,
      drawRectangle: true,
      drawPolygon: true,
      editMode: true,
      dragMode: true,
      cutPolygon: true,
      removalMode: true,
      rotateMode: false,
    });

    map.on("pm:create", function (event) {
      watch(event.layer);
      if (map.pm.globalEditModeEnabled()) {
        event.layer.pm.enable();
      }
      sync();
    });
    map.on("pm:cut", function (event) {
      // A cut replaces the layer with a new one that has the hole.
      editable.removeLayer(event.originalLayer);
      watch(event.layer);
      sync();
    });
    map.on("pm:remove", function (event) {
      editable.removeLayer(event.layer);
      sync();
    });

    var bounds = editable.getLayers().length ? editable.getBounds() : cityBounds(el);
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20] });
    } else {
      map.setView([0, 0], 2);
    }
    if (editable.getLayers().length) {
      // The corners are ready to drag as soon as the page opens.
      map.pm.enableGlobalEditMode();
    } else {
      say(el.dataset.emptyText);
    }

    if (el.dataset.contextUrl) {
      getJSON(el.dataset.contextUrl)
        .then(function (data) {
          L.geoJSON(data, {
            pane: "context",
            pmIgnore: true,
            interactive: false,
            style: CONTEXT_STYLE,
            filter: function (feature) {
              return feature.properties.code !== el.dataset.code && feature.properties.level !== "city";
            },
          }).addTo(map);
          el.dataset.contextLoaded = "true";
        })
        .catch(function (error) {
          el.dataset.contextLoaded = "error";
          if (window.console) {
            window.console.warn("Neighbouring areas could not be loaded:", error);
          }
        });
    }

    el.dataset.ready = "true";
    window.huesmartAreaEditor = { map: map, layers: editable, sync: sync, geometry: geometryOf.bind(null, editable, map) };
  }

  if (typeof window.L === "undefined") {
    return;
  }
  document.querySelectorAll(".areas-map").forEach(renderOverview);
  document.querySelectorAll(".area-editor").forEach(renderEditor);
})();
