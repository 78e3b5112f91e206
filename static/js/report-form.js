/*
 * The report form: the place from the phone's location, corrected by tapping the map or dragging the pin,
 * into the hidden latitude/longitude inputs; a list of the chosen files checked against the limits; one
 * submission only. The server checks everything again. Needs leaflet.js and case-map.js loaded first.
 *
 * With offline-queue.js loaded first, the report is sent by fetch: without a network (or when sending fails) it
 * waits on the phone with its files, under its idempotency key, and this page lists the waiting reports and sends
 * them when the network returns. Files chosen offline are kept in the page rather than uploaded.
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
        // keyboard: false: no tab stop or nameless button, since a pin cannot be dragged by keyboard; #pin-centre is
        // the keyboard's way to place it.
        pin = L.marker([lat, lon], { draggable: true, autoPan: true, keyboard: false, icon: window.huesmartMap.pinIcon() }).addTo(map);
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
    map = L.map(mapEl, { scrollWheelZoom: false, zoomControl: false });
    window.huesmartMap.addZoom(map, mapEl);
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

  // Written the page language's way, as uploader.js and the server write sizes ("15,0 MB" in Vietnamese).
  var sizeFormat = window.Intl
    ? new Intl.NumberFormat(document.documentElement.lang || undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    : null;

  function megabytes(bytes) {
    var size = bytes / (1024 * 1024);
    return (sizeFormat ? sizeFormat.format(size) : size.toFixed(1)) + " MB";
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

  var button = document.getElementById("submit-report");
  var buttonText = button.textContent;

  function sendingState() {
    button.disabled = true;
    button.textContent = button.dataset.msgSending;
  }

  // Reports that wait on the phone (offline-queue.js): composed without a network, or whose sending failed. The
  // report is sent by fetch, so that a failure keeps it instead of showing the browser's error page; the server's
  // refusal (a form error) is drawn by the server as before. Without IndexedDB the form posts as it always did.
  var queue = window.huesmartQueue;
  var panel = document.getElementById("offline-queue");
  var canQueue = Boolean(queue && panel && keyInput && window.fetch);
  var sending = false;

  // One report per tap: a second tap while uploading would send the report twice.
  form.addEventListener(
    "submit",
    function (event) {
      if (sending) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (keyInput) {
        rememberSent(keyInput.value);
      }
      if (!canQueue) {
        window.setTimeout(sendingState, 0);
        return;
      }
      // Capturing, so that this runs before uploader.js's listener: the page may stay (the report kept).
      event.preventDefault();
      event.stopImmediatePropagation();
      sending = true;
      sendingState();
      var record = collect();
      if (!navigator.onLine) {
        keepOnPhone(record);
        return;
      }
      queue.post(record).then(
        function (result) {
          if (result.state === "sent") {
            queue.rememberMine(result.code, result.url);
            window.location.assign(result.page);
          } else {
            sendNatively(result.token);
          }
        },
        function () {
          keepOnPhone(record);
        }
      );
    },
    true
  );

  if (!canQueue) {
    return;
  }

  var q = panel.dataset;
  var queueStatus = document.getElementById("offline-queue-status");
  var queueList = document.getElementById("offline-queue-list");
  var another = document.getElementById("offline-queue-another");
  var notice = document.getElementById("offline-notice");
  // Files chosen while offline: kept here, then with the report on the phone, sent with it as form files.
  var held = [];

  function showConnection() {
    notice.hidden = navigator.onLine;
  }

  function addRemove(item, onRemove) {
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button small";
    remove.textContent = limits.msgRemove;
    remove.addEventListener("click", function () {
      item.remove();
      onRemove();
    });
    item.append(" ", remove);
  }

  function holdFile(file) {
    var item = document.createElement("li");
    item.className = "upload upload-kept";
    var label = document.createElement("span");
    label.className = "upload-name";
    label.textContent = file.name + " (" + megabytes(file.size) + ")";
    var status = document.createElement("span");
    status.className = "upload-status";
    item.append(label, " ", status);
    list.appendChild(item);
    var video = (file.type || "").indexOf("video/") === 0;
    var needsNetwork = video && file.size > Number(q.offlineMaxVideoBytes) && file.size <= Number(limits.maxVideoBytes);
    var limit = video ? Number(limits.maxVideoBytes) : Number(limits.maxPhotoBytes);
    var refusal = null;
    if (list.querySelectorAll("li:not(.error)").length > Number(limits.maxFiles)) {
      refusal = limits.msgTooMany;
    } else if (needsNetwork) {
      refusal = q.msgVideoNeedsNetwork.replace("{max}", megabytes(Number(q.offlineMaxVideoBytes)));
    } else if (file.size > limit) {
      refusal = limits.msgTooLarge.replace("{max}", megabytes(limit));
    }
    if (refusal) {
      item.className = "upload upload-refused error";
      status.textContent = ": " + refusal;
      addRemove(item, function () {});
      return;
    }
    var entry = { file: file, element: item };
    held.push(entry);
    status.textContent = q.msgKept;
    addRemove(item, function () {
      held.splice(held.indexOf(entry), 1);
    });
  }

  // Offline, files chosen are kept rather than uploaded: capturing, this runs before uploader.js sees them.
  form.addEventListener(
    "change",
    function (event) {
      var input = event.target;
      if (navigator.onLine || input.type !== "file" || input.name !== "media") {
        return;
      }
      event.stopPropagation();
      Array.prototype.forEach.call(input.files, holdFile);
      input.value = "";
    },
    true
  );

  function collect() {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") {
        fields.push([name, value]);
      }
    });
    var category = form.elements.namedItem("category");
    var description = form.elements.namedItem("description");
    return {
      key: keyInput.value,
      action: new URL(form.action, window.location.href).pathname,
      fields: fields,
      files: held.map(function (entry) {
        return entry.file;
      }),
      summary: {
        category: category && category.value ? category.options[category.selectedIndex].text : "",
        description: description ? description.value.slice(0, 140) : "",
      },
      createdAt: Date.now(),
    };
  }

  // The server refused the report (a form error): posted again as a plain form, the server draws its errors.
  // Nothing was stored under its key, so the same key is free.
  function sendNatively(token) {
    var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (csrf && token) {
      csrf.value = token;
    }
    if (held.length && window.DataTransfer) {
      var files = new DataTransfer();
      held.forEach(function (entry) {
        files.items.add(entry.file);
      });
      inputs[0].files = files.files;
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  function keepOnPhone(record) {
    queue.save(record).then(
      function () {
        // The report is on the phone now: the form starts empty if it is opened again (to correct a report).
        form.hidden = true;
        form.reset();
        list.textContent = "";
        held = [];
        another.hidden = false;
        queueStatus.textContent = q.msgSaved;
        panel.hidden = false;
        queue.requestSync();
        render();
        panel.scrollIntoView();
        retryLater();
      },
      function () {
        // Storage full or refused: the report stays in the form.
        sending = false;
        button.disabled = false;
        button.textContent = buttonText;
        queueStatus.textContent = q.msgNoRoom;
        panel.hidden = false;
      }
    );
  }

  function stateLine(record) {
    var line = document.createElement("p");
    line.className = "queued-state";
    if (record.state === "sent") {
      var code = document.createElement("strong");
      code.className = "tracking-code";
      code.textContent = record.code;
      line.append(q.msgSent + " ", code);
      if (record.url) {
        var follow = document.createElement("a");
        follow.href = record.url;
        follow.textContent = q.msgFollow;
        line.append(" ", follow);
      }
    } else if (record.state === "refused") {
      line.textContent = q.msgRefused;
      var errors = document.createElement("ul");
      errors.className = "errorlist";
      (record.errors && record.errors.length ? record.errors : [q.msgRefusedUnknown]).forEach(function (text) {
        var error = document.createElement("li");
        error.textContent = text;
        errors.appendChild(error);
      });
      line.appendChild(errors);
    } else {
      line.textContent = record.state === "sending" ? q.msgSending : q.msgWaiting;
    }
    return line;
  }

  // The city's clock (data-time-zone on <body>), not the phone's: a visitor's phone may sit in another zone.
  function cityTime(date) {
    var lang = document.documentElement.lang || undefined;
    var zone = document.body.dataset.timeZone;
    try {
      return date.toLocaleString(lang, zone ? { timeZone: zone } : undefined);
    } catch (e) {
      // An unknown zone name throws RangeError: the phone's clock beats no time at all.
      return date.toLocaleString(lang);
    }
  }

  function drawRecord(record) {
    var item = document.createElement("li");
    item.className = "queued-report queued-" + record.state;
    item.dataset.key = record.key;
    item.dataset.state = record.state;
    var title = document.createElement("p");
    var what = document.createElement("strong");
    what.textContent = record.summary.category;
    title.append(what, " " + cityTime(new Date(record.createdAt)));
    var text = document.createElement("p");
    text.className = "queued-description";
    text.textContent = record.summary.description;
    item.append(title, text);
    if (record.files && record.files.length) {
      var files = document.createElement("p");
      files.textContent = q.msgFiles + " " + record.files.length;
      item.appendChild(files);
    }
    item.appendChild(stateLine(record));
    var actions = document.createElement("p");
    if (record.state === "refused") {
      var editButton = document.createElement("button");
      editButton.type = "button";
      editButton.className = "button small";
      editButton.textContent = q.msgEdit;
      editButton.addEventListener("click", function () {
        edit(record);
      });
      actions.append(editButton, " ");
    }
    if (record.state === "waiting" || record.state === "refused") {
      var deleteButton = document.createElement("button");
      deleteButton.type = "button";
      deleteButton.className = "button small";
      deleteButton.textContent = q.msgDelete;
      deleteButton.addEventListener("click", function () {
        queue.remove(record.key);
      });
      actions.appendChild(deleteButton);
    }
    if (actions.childNodes.length) {
      item.appendChild(actions);
    }
    return item;
  }

  function render() {
    return queue.all().then(function (records) {
      queueList.textContent = "";
      records.forEach(function (record) {
        queueList.appendChild(drawRecord(record));
      });
      panel.hidden = !records.length && !queueStatus.textContent;
    });
  }

  // A refused report back in the form, its files and place with it, under a new key.
  function edit(record) {
    queue.remove(record.key).then(function () {
      record.fields.forEach(function (pair) {
        var field = form.elements.namedItem(pair[0]);
        if (pair[0] === "upload") {
          var kept = document.createElement("li");
          kept.className = "upload upload-done";
          kept.dataset.uploadId = pair[1];
          kept.textContent = limits.msgUploaded;
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = "upload";
          hidden.value = pair[1];
          kept.appendChild(hidden);
          list.appendChild(kept);
        } else if (field && field.type === "checkbox") {
          field.checked = true;
        } else if (field && field.type !== "file" && field !== keyInput && "value" in field) {
          field.value = pair[1];
        }
      });
      (record.files || []).forEach(holdFile);
      keyInput.value = newKey();
      if (latInput.value && lonInput.value) {
        place(parseFloat(latInput.value), parseFloat(lonInput.value), msg.msgChosen);
      }
      form.hidden = false;
      another.hidden = true;
      queueStatus.textContent = "";
      sending = false;
      button.disabled = false;
      button.textContent = buttonText;
      form.elements.namedItem("description").focus();
    });
  }

  // Sending the queue: when the page opens, when the phone is back online, and again a while after a failure while
  // online (a lost answer, a server briefly down).
  var RETRY_DELAYS = [2000, 10000, 60000, 300000];
  var retries = 0;
  var retryTimer = null;

  function retryLater() {
    if (retryTimer) {
      return;
    }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, RETRY_DELAYS[Math.min(retries, RETRY_DELAYS.length - 1)]);
    retries += 1;
  }

  function flush() {
    if (!navigator.onLine) {
      return;
    }
    queue
      .flush()
      .then(function (waiting) {
        if (waiting) {
          retryLater();
        } else {
          retries = 0;
        }
        return queue.recordSent();
      })
      .catch(function () {
        retryLater();
      })
      .then(render);
  }

  queue.onChange(render);
  window.addEventListener("online", function () {
    showConnection();
    flush();
  });
  window.addEventListener("offline", showConnection);
  showConnection();
  queue
    .prune()
    .catch(function () {})
    .then(render)
    .then(flush);
})();
