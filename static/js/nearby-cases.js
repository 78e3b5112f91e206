/*
 * The report form's "Is it one of these?" panel: once the category and the place are known, and whenever they
 * change, ask the API for open cases of that category nearby and list them, each linking to its page where the
 * citizen can follow it. The panel stays hidden when there are none, and any failure (offline, server error)
 * leaves it hidden: the report can always be sent. Texts and the API address come from the panel's data-*
 * attributes (templates/reports/_nearby.html).
 */
(function () {
  "use strict";

  var panel = document.getElementById("nearby-cases");
  var form = document.getElementById("report-form");
  if (!panel || !form || !window.fetch) {
    return;
  }
  var list = document.getElementById("nearby-cases-list");
  var category = document.getElementById("id_category");
  var latInput = document.getElementById("id_latitude");
  var lonInput = document.getElementById("id_longitude");
  var data = panel.dataset;
  var DEBOUNCE_MS = 400;
  // The place is written by report-form.js (GPS, map taps, a dragged pin) without input events; reading the two
  // hidden inputs this often notices every change at no cost.
  var PLACE_CHECK_MS = 700;

  // The select's values are category ids; the API takes codes ("12=price-gouging 13=garbage").
  var codes = {};
  (data.categories || "").split(" ").forEach(function (pair) {
    var parts = pair.split("=");
    if (parts.length === 2) {
      codes[parts[0]] = parts[1];
    }
  });

  var asked = null;
  var timer = null;
  var controller = null;

  function query() {
    var code = category ? codes[category.value] : null;
    var lat = latInput.value;
    var lon = lonInput.value;
    if (!code || !lat || !lon || !isFinite(lat) || !isFinite(lon)) {
      return null;
    }
    return (
      "?latitude=" + encodeURIComponent(lat) + "&longitude=" + encodeURIComponent(lon) +
      "&category=" + encodeURIComponent(code)
    );
  }

  function hide() {
    panel.hidden = true;
    list.textContent = "";
  }

  function paragraph(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function show(cases) {
    list.textContent = "";
    if (!Array.isArray(cases) || cases.length === 0) {
      panel.hidden = true;
      return;
    }
    cases.forEach(function (item) {
      var row = document.createElement("li");
      row.className = "case-row nearby-case";
      var head = document.createElement("p");
      head.className = "case-row-head";
      var link = document.createElement("a");
      link.className = "code";
      // Straight to the follow form on the case's page, in this tab.
      link.href = item.url + "#follow";
      link.textContent = item.tracking_code;
      head.appendChild(link);
      var label = panel.getAttribute("data-state-" + item.state);
      if (label) {
        var state = document.createElement("span");
        state.className = "state state-" + item.state;
        state.textContent = label;
        head.appendChild(document.createTextNode(" "));
        head.appendChild(state);
      }
      row.appendChild(head);
      var distance = (data.msgDistance || "{metres} m").replace("{metres}", String(item.distance_m));
      row.appendChild(paragraph("case-row-meta", (item.category ? item.category.name + " · " : "") + distance));
      row.appendChild(paragraph("case-row-text", item.description || ""));
      list.appendChild(row);
    });
    panel.hidden = false;
  }

  function refresh() {
    var next = query();
    if (next === asked) {
      return;
    }
    asked = next;
    if (controller) {
      controller.abort();
      controller = null;
    }
    if (next === null) {
      hide();
      return;
    }
    controller = window.AbortController ? new AbortController() : null;
    fetch(data.url + next, {
      headers: { Accept: "application/json" },
      credentials: "omit",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (cases) {
        if (next === asked) {
          show(cases);
        }
      })
      .catch(function () {
        if (next === asked) {
          // Silent: ask again on the next change.
          asked = null;
          hide();
        }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DEBOUNCE_MS);
  }

  if (category) {
    category.addEventListener("change", later);
  }
  var place = latInput.value + "," + lonInput.value;
  window.setInterval(function () {
    var now = latInput.value + "," + lonInput.value;
    if (now !== place) {
      place = now;
      later();
    }
  }, PLACE_CHECK_MS);
  later();
})();
