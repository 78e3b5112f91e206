/*
 * The report form: the place from the phone's location, corrected by tapping the map or dragging the pin,
 * into the hidden latitude/longitude inputs; a list of the chosen files checked against the limits; one
 * submission only. The server checks everything again. Needs leaflet.js and case-map.js loaded first.
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) {
    return;
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // Place.
  var mapEl = document.getElementById("report-map");
  var latInput = document.getElementById("id_latitude");
  var lonInput = document.getElementById("id_longitude");
  var statusEl = document.getElementById("location-status");
  var locateButton = document.getElementById("use-location");
  var msg = mapEl.dataset;
  var bounds = (msg.bounds || "").split(",").map(Number);
  var map = null;
  var pin = null;

  function say(text) {
    statusEl.textContent = text;
  }

  function inCity(lat, lon) {
    return bounds.length === 4 && lat >= bounds[0] && lat <= bounds[2] && lon >= bounds[1] && lon <= bounds[3];
  }

  function place(lat, lon, message) {
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    if (map) {
      if (pin) {
        pin.setLatLng([lat, lon]);
      } else {
        pin = L.marker([lat, lon], { draggable: true, autoPan: true, icon: window.huesmartMap.pinIcon() }).addTo(map);
        pin.on("dragend", function () {
          var point = pin.getLatLng();
          place(point.lat, point.lng, msg.msgChosen);
        });
      }
    }
    say(inCity(lat, lon) ? message : msg.msgOutside);
  }

  function locate() {
    if (!navigator.geolocation) {
      say(msg.msgFailed);
      return;
    }
    say(msg.msgLocating);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var lat = position.coords.latitude;
        var lon = position.coords.longitude;
        place(lat, lon, msg.msgFound);
        if (map) {
          map.setView([lat, lon], 17);
        }
      },
      function () {
        say(msg.msgFailed);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  if (window.huesmartMap) {
    map = L.map(mapEl, { scrollWheelZoom: false });
    map.setView([parseFloat(msg.centerLat), parseFloat(msg.centerLon)], 14);
    window.huesmartMap.addTiles(map, mapEl);
    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng, msg.msgChosen);
    });
    var centreButton = document.getElementById("pin-centre");
    if (centreButton) {
      // For keyboard users: move the map with the arrow keys, then put the pin in its centre.
      centreButton.hidden = false;
      centreButton.addEventListener("click", function () {
        var centre = map.getCenter();
        place(centre.lat, centre.lng, msg.msgChosen);
      });
    }
  }

  if (latInput.value && lonInput.value && isFinite(latInput.value) && isFinite(lonInput.value)) {
    // The form came back with an error: keep the place the citizen chose.
    var lat = parseFloat(latInput.value);
    var lon = parseFloat(lonInput.value);
    place(lat, lon, msg.msgChosen);
    if (map) {
      map.setView([lat, lon], 17);
    }
  } else {
    locate();
  }
  if (navigator.geolocation) {
    locateButton.hidden = false;
    locateButton.addEventListener("click", locate);
  }

  // Files: both inputs send under the name "media"; the list shows what will be sent.
  var mediaFieldset = document.getElementById("media-fieldset");
  var inputs = mediaFieldset.querySelectorAll('input[type="file"][name="media"]');
  var list = document.getElementById("media-list");
  var limits = mediaFieldset.dataset;

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function showFiles() {
    var files = [];
    inputs.forEach(function (input) {
      Array.prototype.push.apply(files, input.files);
    });
    list.textContent = "";
    files.forEach(function (file) {
      var item = document.createElement("li");
      var limit = file.type.indexOf("video/") === 0 ? Number(limits.maxVideoBytes) : Number(limits.maxPhotoBytes);
      item.textContent = file.name + " (" + megabytes(file.size) + ")";
      if (file.size > limit) {
        item.textContent += ": " + limits.msgTooLarge.replace("{max}", megabytes(limit));
        item.className = "error";
      }
      list.appendChild(item);
    });
    if (files.length > Number(limits.maxFiles)) {
      var warning = document.createElement("li");
      warning.className = "error";
      warning.textContent = limits.msgTooMany;
      list.appendChild(warning);
    }
  }

  // With resumable uploads (uploader.js) the files are listed, checked and sent by that script.
  if (mediaFieldset.dataset.uploader !== "active") {
    inputs.forEach(function (input) {
      input.addEventListener("change", showFiles);
    });
  }

  // One key per report composed (reports/idempotency.py): the same report sent again after a double tap or a
  // timeout leads to the first one's confirmation instead of making a second case. The server draws the page with
  // a fresh key; a page served from a cache (offline, the browser's) may carry one this browser already sent, and
  // gets a new one, so that the next report is not mistaken for the last. A page restored by the back button keeps
  // its key: what it holds may be the report whose answer was lost.
  var keyInput = document.getElementById("id_idempotency_key");
  var SENT_KEYS = "huesmart.sentReportKeys";
  var SENT_KEYS_KEPT = 20;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    // randomUUID needs HTTPS (or localhost); getRandomValues does not: a version 4 UUID from 16 random bytes.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) {
        return part.join("");
      })
      .join("-");
  }

  function sentKeys() {
    try {
      return JSON.parse(window.localStorage.getItem(SENT_KEYS) || "[]");
    } catch (error) {
      // No storage (private browsing, blocked): the server's fresh key stands.
      return [];
    }
  }

  function rememberSent(key) {
    var keys = sentKeys().filter(function (sent) {
      return sent !== key;
    });
    keys.push(key);
    try {
      window.localStorage.setItem(SENT_KEYS, JSON.stringify(keys.slice(-SENT_KEYS_KEPT)));
    } catch (error) {
      // As above.
    }
  }

  if (keyInput && (!keyInput.value || sentKeys().indexOf(keyInput.value) >= 0)) {
    keyInput.value = newKey();
  }

  // One report per tap: a second tap while uploading would send the report twice.
  form.addEventListener("submit", function () {
    if (keyInput) {
      rememberSent(keyInput.value);
    }
    var button = document.getElementById("submit-report");
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = button.dataset.msgSending;
    }, 0);
  });
})();
