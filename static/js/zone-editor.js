/*
 * The centre's camera editors (templates/dashboard/cameras/).
 *
 * <div class="camera-map" data-lat-input data-lon-input data-bounds data-tile-url data-attribution>:
 *   the camera's position: a click on the map or a dragged pin writes the latitude and longitude inputs, and typed
 *   values move the pin. An empty data-tile-url (tests, offline installs) draws the pin without a background.
 *
 * <div class="zone-editor" data-input data-status data-texts>:
 *   the zones drawn on the camera's snapshot, an SVG over the image. The textarea named by data-input holds the zones
 *   JSON of docs/cameras.md (coordinates 0..1 of the image, x right, y down) and is rewritten after every change;
 *   the server checks it again with the pipeline's load_zones on save. Every point, arrow tip and signal-box corner
 *   is a focusable handle: dragged with the pointer, or moved with the arrow keys. data-texts names a json_script
 *   element with the editor's words. window.huesmartZoneEditor exposes the editor (tests).
 */
(function () {
  "use strict";

  var SVGNS = "http://www.w3.org/2000/svg";
  var PREFIX = { no_parking: "np", sidewalk: "sw", stop_line: "sl", one_way: "ow" };
  var POLYGON_KINDS = { no_parking: true, sidewalk: true, one_way: true, mask: true };
  var DIRECTED = { stop_line: true, one_way: true };
  var DWELL = { no_parking: 60, sidewalk: 20 };
  // Keyboard steps, in shares of the image.
  var STEP = 0.005;
  var BIG_STEP = 0.025;
  var VIEW_WIDTH = 1000;
  var HANDLE_RADIUS = 9;
  var ARROW_LENGTH = 70;
  var DECIMALS = 4;
  // Where a new stop line's signal lamp box starts (top left); the operator drags its corners onto the lamp.
  var DEFAULT_SIGNAL = [0.05, 0.05, 0.12, 0.2];

  // --- The camera's position --------------------------------------------------------------------------------

  function positionMap(el) {
    if (typeof window.L === "undefined") {
      return;
    }
    var latInput = document.getElementById(el.dataset.latInput);
    var lonInput = document.getElementById(el.dataset.lonInput);
    var map = L.map(el, { scrollWheelZoom: false });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    var pin = null;
    function typed() {
      var lat = parseFloat(latInput.value);
      var lon = parseFloat(lonInput.value);
      return isFinite(lat) && isFinite(lon) ? L.latLng(lat, lon) : null;
    }
    function write(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
    }
    function place(latlng) {
      if (pin === null) {
        pin = L.marker(latlng, {
          draggable: true,
          autoPan: true,
          icon: L.divIcon({ className: "map-pin", iconSize: [28, 28], iconAnchor: [14, 28] }),
        }).addTo(map);
        pin.on("dragend", function () {
          write(pin.getLatLng());
        });
      } else {
        pin.setLatLng(latlng);
      }
    }
    var start = typed();
    if (start) {
      map.setView(start, 16);
      place(start);
    } else {
      var parts = (el.dataset.bounds || "").split(",").map(parseFloat);
      if (parts.length === 4 && parts.every(isFinite)) {
        map.fitBounds([
          [parts[0], parts[1]],
          [parts[2], parts[3]],
        ]);
      } else {
        map.setView([0, 0], 2);
      }
    }
    map.on("click", function (event) {
      place(event.latlng);
      write(event.latlng);
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var latlng = typed();
        if (latlng) {
          place(latlng);
          map.panTo(latlng);
        }
      });
    });
    el.dataset.ready = "true";
  }

  // --- Small helpers ----------------------------------------------------------------------------------------

  function round(value) {
    var factor = Math.pow(10, DECIMALS);
    return Math.round(value * factor) / factor;
  }

  function clamp(value) {
    return Math.min(1, Math.max(0, value));
  }

  function format(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  function svgElement(name, attributes, parent) {
    var el = document.createElementNS(SVGNS, name);
    Object.keys(attributes || {}).forEach(function (key) {
      el.setAttribute(key, attributes[key]);
    });
    if (parent) {
      parent.appendChild(el);
    }
    return el;
  }

  function htmlElement(name, attributes, parent) {
    var el = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") {
        el.textContent = attributes[key];
      } else {
        el.setAttribute(key, attributes[key]);
      }
    });
    if (parent) {
      parent.appendChild(el);
    }
    return el;
  }

  function centroid(points) {
    var x = 0;
    var y = 0;
    points.forEach(function (p) {
      x += p[0];
      y += p[1];
    });
    return [x / points.length, y / points.length];
  }

  function unit(dx, dy) {
    var length = Math.sqrt(dx * dx + dy * dy);
    return length > 0 ? [round(dx / length), round(dy / length)] : [1, 0];
  }

  // --- The zone editor --------------------------------------------------------------------------------------

  function ZoneEditor(root) {
    this.root = root;
    this.input = document.getElementById(root.dataset.input);
    this.status = document.getElementById(root.dataset.status);
    var textsElement = document.getElementById(root.dataset.texts);
    this.texts = textsElement ? JSON.parse(textsElement.textContent) : {};
    this.svg = root.querySelector("svg");
    this.image = root.querySelector("img");
    this.list = root.querySelector(".zone-list");
    this.props = root.querySelector(".zone-props");
    this.drawingHint = root.querySelector("#zone-drawing");
    this.data = this.parse(this.input.value) || { version: 1, zones: [] };
    // {kind: "zone" | "mask", index} or null
    this.selected = null;
    // {kind, points} while a new shape is drawn
    this.drawing = null;
    this.cursor = [0.5, 0.5];
    this.drag = null;
    this.width = VIEW_WIDTH;
    this.height = Math.round((VIEW_WIDTH * 9) / 16);
    this.bind();
    var editor = this;
    if (this.image && !(this.image.complete && this.image.naturalWidth)) {
      this.image.addEventListener("load", function () {
        editor.ready();
      });
      this.image.addEventListener("error", function () {
        editor.ready();
      });
    } else {
      this.ready();
    }
  }

  ZoneEditor.prototype.ready = function () {
    if (this.image && this.image.naturalWidth) {
      this.height = Math.round((VIEW_WIDTH * this.image.naturalHeight) / this.image.naturalWidth);
    } else {
      this.root.classList.add("no-image");
    }
    this.svg.setAttribute("viewBox", "0 0 " + this.width + " " + this.height);
    this.svg.setAttribute("preserveAspectRatio", "none");
    this.renderAll();
    this.root.dataset.ready = "true";
  };

  ZoneEditor.prototype.parse = function (text) {
    var data;
    try {
      data = JSON.parse(text || "{}");
    } catch (error) {
      return null;
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      return null;
    }
    if (!Array.isArray(data.zones)) {
      data.zones = [];
    }
    if (data.version === undefined) {
      data.version = 1;
    }
    return data;
  };

  ZoneEditor.prototype.masks = function () {
    if (!Array.isArray(this.data.mask)) {
      this.data.mask = [];
    }
    return this.data.mask;
  };

  ZoneEditor.prototype.item = function (selection) {
    selection = selection || this.selected;
    if (!selection) {
      return null;
    }
    return selection.kind === "mask" ? this.masks()[selection.index] : this.data.zones[selection.index];
  };

  // The points of an item, as a live array (changing it changes the data).
  ZoneEditor.prototype.pointsOf = function (selection) {
    var item = this.item(selection);
    if (!item) {
      return [];
    }
    if (selection.kind === "mask") {
      return item;
    }
    return item.kind === "stop_line" ? item.line || [] : item.polygon || [];
  };

  ZoneEditor.prototype.label = function (selection) {
    if (selection.kind === "mask") {
      return this.texts.kinds.mask + " " + (selection.index + 1);
    }
    var zone = this.data.zones[selection.index];
    return zone.name || zone.id;
  };

  ZoneEditor.prototype.toSvg = function (p) {
    return [p[0] * this.width, p[1] * this.height];
  };

  ZoneEditor.prototype.fromEvent = function (event) {
    var rect = this.svg.getBoundingClientRect();
    return [
      round(clamp((event.clientX - rect.left) / rect.width)),
      round(clamp((event.clientY - rect.top) / rect.height)),
    ];
  };

  ZoneEditor.prototype.changed = function () {
    if (this.data.mask && this.data.mask.length === 0) {
      delete this.data.mask;
    }
    var output = JSON.parse(JSON.stringify(this.data));
    output.zones.forEach(function (zone) {
      // A signal box dragged inside out is still the same box: [x0, y0, x1, y1] with x0 < x1 and y0 < y1.
      if (Array.isArray(zone.signal) && zone.signal.length === 4) {
        var s = zone.signal;
        zone.signal = [Math.min(s[0], s[2]), Math.min(s[1], s[3]), Math.max(s[0], s[2]), Math.max(s[1], s[3])];
      }
    });
    this.input.value = JSON.stringify(output, null, 1);
    this.root.dataset.changed = "true";
    if (this.status) {
      this.status.textContent = this.texts.changed || "";
    }
  };

  // --- Rendering --------------------------------------------------------------------------------------------

  ZoneEditor.prototype.renderAll = function () {
    this.renderSvg();
    this.renderList();
    this.renderProps();
  };

  ZoneEditor.prototype.renderSvg = function () {
    var editor = this;
    var focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.handle : null;
    while (this.svg.firstChild) {
      this.svg.removeChild(this.svg.firstChild);
    }
    var shapes = svgElement("g", { class: "zone-shapes" }, this.svg);
    this.masks().forEach(function (polygon, index) {
      editor.renderShape(shapes, { kind: "mask", index: index }, polygon, "mask");
    });
    this.data.zones.forEach(function (zone, index) {
      var selection = { kind: "zone", index: index };
      editor.renderShape(shapes, selection, editor.pointsOf(selection), zone.kind);
    });
    if (this.selected && this.item()) {
      this.renderHandles(svgElement("g", { class: "zone-handles" }, this.svg));
    }
    if (this.drawing) {
      this.renderDrawing(svgElement("g", { class: "zone-drawing" }, this.svg));
    }
    if (focused) {
      var again = this.svg.querySelector('[data-handle="' + focused + '"]');
      if (again) {
        again.focus();
      }
    }
  };

  ZoneEditor.prototype.isSelected = function (selection) {
    return !!this.selected && this.selected.kind === selection.kind && this.selected.index === selection.index;
  };

  ZoneEditor.prototype.renderShape = function (parent, selection, points, kind) {
    var editor = this;
    if (!points || points.length < 2) {
      return;
    }
    var svgPoints = points
      .map(function (p) {
        return editor.toSvg(p).join(",");
      })
      .join(" ");
    var classes = "zone-shape zone-" + kind + (this.isSelected(selection) ? " selected" : "");
    var shape = svgElement(POLYGON_KINDS[kind] ? "polygon" : "polyline", { points: svgPoints, class: classes }, parent);
    shape.dataset.kind = selection.kind;
    shape.dataset.index = String(selection.index);
    if (selection.kind === "zone") {
      var zone = this.data.zones[selection.index];
      var at = this.toSvg(centroid(points));
      var text = svgElement("text", { x: at[0], y: at[1], class: "zone-label" }, parent);
      text.textContent = zone.name || zone.id;
      if (DIRECTED[zone.kind]) {
        this.renderArrow(parent, zone, points);
      }
      if (zone.kind === "stop_line" && Array.isArray(zone.signal) && zone.signal.length === 4) {
        var a = this.toSvg([zone.signal[0], zone.signal[1]]);
        var b = this.toSvg([zone.signal[2], zone.signal[3]]);
        svgElement(
          "rect",
          {
            x: Math.min(a[0], b[0]),
            y: Math.min(a[1], b[1]),
            width: Math.abs(b[0] - a[0]),
            height: Math.abs(b[1] - a[1]),
            class: "zone-signal",
          },
          parent
        );
      }
    }
  };

  ZoneEditor.prototype.arrowEnds = function (zone, points) {
    var anchor = this.toSvg(centroid(points));
    var direction = Array.isArray(zone.direction) ? zone.direction : [1, 0];
    var dx = direction[0] * this.width;
    var dy = direction[1] * this.height;
    var length = Math.sqrt(dx * dx + dy * dy) || 1;
    return [anchor, [anchor[0] + (dx / length) * ARROW_LENGTH, anchor[1] + (dy / length) * ARROW_LENGTH]];
  };

  ZoneEditor.prototype.renderArrow = function (parent, zone, points) {
    var ends = this.arrowEnds(zone, points);
    var a = ends[0];
    var b = ends[1];
    svgElement("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: "zone-arrow" }, parent);
    var angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
    var head = [angle + 2.6, angle - 2.6].map(function (t) {
      return [b[0] + Math.cos(t) * 16, b[1] + Math.sin(t) * 16].join(",");
    });
    svgElement("polygon", { points: [b.join(","), head[0], head[1]].join(" "), class: "zone-arrow-head" }, parent);
  };

  ZoneEditor.prototype.handle = function (parent, at, key, label, extraClass) {
    var p = this.toSvg(at);
    var circle = svgElement(
      "circle",
      {
        cx: p[0],
        cy: p[1],
        r: HANDLE_RADIUS,
        class: "zone-handle" + (extraClass ? " " + extraClass : ""),
        tabindex: "0",
        role: "button",
        "aria-label": label,
      },
      parent
    );
    circle.dataset.handle = key;
    return circle;
  };

  ZoneEditor.prototype.renderHandles = function (parent) {
    var editor = this;
    var selection = this.selected;
    var name = this.label(selection);
    var points = this.pointsOf(selection);
    points.forEach(function (point, i) {
      editor.handle(parent, point, "point:" + i, format(editor.texts.point, { n: i + 1, zone: name }));
    });
    var zone = selection.kind === "zone" ? this.item() : null;
    if (zone && DIRECTED[zone.kind] && points.length >= 2) {
      var tip = this.arrowEnds(zone, points)[1];
      editor.handle(
        parent,
        [tip[0] / this.width, tip[1] / this.height],
        "arrow",
        format(editor.texts.arrow, { zone: name }),
        "zone-handle-arrow"
      );
    }
    if (zone && zone.kind === "stop_line" && Array.isArray(zone.signal) && zone.signal.length === 4) {
      [0, 1].forEach(function (corner) {
        editor.handle(
          parent,
          [zone.signal[corner * 2], zone.signal[corner * 2 + 1]],
          "signal:" + corner,
          format(editor.texts.signalCorner, { n: corner + 1 }),
          "zone-handle-signal"
        );
      });
    }
  };

  ZoneEditor.prototype.renderDrawing = function (parent) {
    var editor = this;
    var points = this.drawing.points;
    if (points.length) {
      svgElement(
        "polyline",
        {
          points: points
            .concat([this.cursor])
            .map(function (p) {
              return editor.toSvg(p).join(",");
            })
            .join(" "),
          class: "zone-draft zone-" + this.drawing.kind,
        },
        parent
      );
      points.forEach(function (p, i) {
        var at = editor.toSvg(p);
        svgElement("circle", { cx: at[0], cy: at[1], r: HANDLE_RADIUS, class: i === 0 ? "zone-draft-point first" : "zone-draft-point" }, parent);
      });
    }
    var c = this.toSvg(this.cursor);
    svgElement("path", { d: "M" + (c[0] - 14) + " " + c[1] + "h28M" + c[0] + " " + (c[1] - 14) + "v28", class: "zone-cursor" }, parent);
  };

  ZoneEditor.prototype.renderList = function () {
    var editor = this;
    while (this.list.firstChild) {
      this.list.removeChild(this.list.firstChild);
    }
    var entries = [];
    this.data.zones.forEach(function (zone, index) {
      entries.push({ kind: "zone", index: index, text: (zone.name || zone.id) + " · " + (editor.texts.kinds[zone.kind] || zone.kind) });
    });
    this.masks().forEach(function (_, index) {
      entries.push({ kind: "mask", index: index, text: editor.texts.kinds.mask + " " + (index + 1) });
    });
    if (!entries.length) {
      htmlElement("li", { class: "empty", text: this.texts.empty }, this.list);
      return;
    }
    entries.forEach(function (entry) {
      var li = htmlElement("li", {}, editor.list);
      var button = htmlElement(
        "button",
        { type: "button", text: entry.text, "aria-pressed": editor.isSelected(entry) ? "true" : "false" },
        li
      );
      button.addEventListener("click", function () {
        editor.select({ kind: entry.kind, index: entry.index });
      });
    });
  };

  ZoneEditor.prototype.field = function (parent, label, value, attributes, onChange) {
    var id = "zone-field-" + Math.random().toString(36).slice(2, 9);
    var wrap = htmlElement("div", { class: "field" }, parent);
    htmlElement("label", { for: id, text: label }, wrap);
    var input = htmlElement("input", Object.assign({ id: id }, attributes), wrap);
    input.value = value === undefined || value === null ? "" : value;
    input.addEventListener("change", function () {
      onChange(input.value.trim());
    });
    return input;
  };

  ZoneEditor.prototype.renderProps = function () {
    var editor = this;
    var texts = this.texts;
    while (this.props.firstChild) {
      this.props.removeChild(this.props.firstChild);
    }
    var item = this.item();
    if (!item) {
      return;
    }
    var selection = this.selected;
    htmlElement("h3", { text: this.label(selection) }, this.props);
    if (selection.kind === "zone") {
      var zone = item;
      var number = function (value) {
        var parsed = parseFloat(value);
        return value === "" || !isFinite(parsed) ? undefined : parsed;
      };
      var set = function (key, value) {
        if (value === undefined) {
          delete zone[key];
        } else {
          zone[key] = value;
        }
        editor.changed();
        editor.renderSvg();
        editor.renderList();
      };
      this.field(this.props, texts.name, zone.name, { type: "text", maxlength: "60", "data-prop": "name" }, function (v) {
        set("name", v || undefined);
      });
      this.field(this.props, texts.id, zone.id, { type: "text", maxlength: "40", "data-prop": "id" }, function (v) {
        if (v) {
          set("id", v);
        }
      });
      if (DWELL[zone.kind] !== undefined) {
        this.field(this.props, texts.dwell, zone.dwell_s, { type: "number", min: "1", step: "1", "data-prop": "dwell_s" }, function (v) {
          set("dwell_s", number(v));
        });
      }
      if (DIRECTED[zone.kind]) {
        var direction = Array.isArray(zone.direction) ? zone.direction : [1, 0];
        var degrees = Math.round((Math.atan2(direction[1], direction[0]) * 180) / Math.PI);
        this.field(this.props, texts.direction, (degrees + 360) % 360, { type: "number", step: "5", "data-prop": "direction" }, function (v) {
          var angle = (number(v) || 0) * (Math.PI / 180);
          set("direction", unit(Math.cos(angle), Math.sin(angle)));
        });
      }
      if (zone.kind === "stop_line") {
        this.field(this.props, texts.amber, zone.amber_grace_s, { type: "number", min: "0", step: "0.5", "data-prop": "amber_grace_s" }, function (v) {
          set("amber_grace_s", number(v));
        });
        // The analysis reads the lamp's colour in this box: a stop line cannot do without it.
        if (!(Array.isArray(zone.signal) && zone.signal.length === 4)) {
          var signalButton = htmlElement("button", { type: "button", "data-action": "signal", text: texts.placeSignal }, this.props);
          signalButton.addEventListener("click", function () {
            zone.signal = DEFAULT_SIGNAL.slice();
            editor.changed();
            editor.renderAll();
          });
        }
      }
      this.field(this.props, texts.minSize, zone.min_size, { type: "number", min: "0", max: "1", step: "0.001", "data-prop": "min_size" }, function (v) {
        set("min_size", number(v));
      });
      this.field(this.props, texts.maxSize, zone.max_size, { type: "number", min: "0", max: "1", step: "0.01", "data-prop": "max_size" }, function (v) {
        set("max_size", number(v));
      });
    }
    var remove = htmlElement("button", { type: "button", class: "danger", "data-action": "remove", text: texts.remove }, this.props);
    remove.addEventListener("click", function () {
      editor.removeSelected();
    });
  };

  // --- Changes ----------------------------------------------------------------------------------------------

  ZoneEditor.prototype.select = function (selection) {
    this.selected = selection;
    this.renderAll();
    if (selection && this.drawingHint) {
      this.drawingHint.textContent = format(this.texts.selected, { zone: this.label(selection) });
    }
  };

  ZoneEditor.prototype.removeSelected = function () {
    if (!this.selected) {
      return;
    }
    if (this.selected.kind === "mask") {
      this.masks().splice(this.selected.index, 1);
    } else {
      this.data.zones.splice(this.selected.index, 1);
    }
    this.selected = null;
    this.changed();
    this.renderAll();
    this.svg.focus();
  };

  ZoneEditor.prototype.newId = function (kind) {
    var used = {};
    this.data.zones.forEach(function (zone) {
      used[zone.id] = true;
    });
    var n = 1;
    while (used[PREFIX[kind] + n]) {
      n += 1;
    }
    return { id: PREFIX[kind] + n, n: n };
  };

  ZoneEditor.prototype.startDrawing = function (kind) {
    this.drawing = { kind: kind, points: [] };
    this.selected = null;
    // The keyboard's cross starts in the middle of the image; the pointer moves it too.
    this.cursor = [0.5, 0.5];
    var text = kind === "stop_line" ? this.texts.drawLine : this.texts.drawPolygon;
    if (this.drawingHint) {
      this.drawingHint.textContent = format(text, { kind: this.texts.kinds[kind] || kind });
    }
    this.root.dataset.drawing = kind;
    this.renderAll();
    this.svg.focus();
  };

  ZoneEditor.prototype.cancelDrawing = function () {
    this.drawing = null;
    delete this.root.dataset.drawing;
    if (this.drawingHint) {
      this.drawingHint.textContent = "";
    }
    this.renderSvg();
  };

  ZoneEditor.prototype.addPoint = function (point) {
    var drawing = this.drawing;
    var first = drawing.points[0];
    if (POLYGON_KINDS[drawing.kind] && drawing.points.length >= 3) {
      var a = this.toSvg(first);
      var b = this.toSvg(point);
      if (Math.abs(a[0] - b[0]) <= HANDLE_RADIUS * 1.5 && Math.abs(a[1] - b[1]) <= HANDLE_RADIUS * 1.5) {
        this.finishDrawing();
        return;
      }
    }
    drawing.points.push(point);
    this.cursor = point;
    if (drawing.kind === "stop_line" && drawing.points.length === 2) {
      this.finishDrawing();
      return;
    }
    this.renderSvg();
  };

  ZoneEditor.prototype.finishDrawing = function () {
    var drawing = this.drawing;
    var points = drawing.points;
    if (POLYGON_KINDS[drawing.kind] && points.length < 3) {
      if (this.drawingHint) {
        this.drawingHint.textContent = this.texts.tooFew;
      }
      return;
    }
    if (drawing.kind === "stop_line" && points.length < 2) {
      return;
    }
    this.drawing = null;
    delete this.root.dataset.drawing;
    if (drawing.kind === "mask") {
      this.masks().push(points);
      this.selected = { kind: "mask", index: this.masks().length - 1 };
    } else {
      var made = this.newId(drawing.kind);
      var zone = { id: made.id, name: (this.texts.kinds[drawing.kind] || drawing.kind) + " " + made.n, kind: drawing.kind };
      if (drawing.kind === "stop_line") {
        zone.line = points;
        // Across the line, towards the top of the image: the usual way into a junction seen from a pole.
        var across = unit(-(points[1][1] - points[0][1]), points[1][0] - points[0][0]);
        zone.direction = across[1] > 0 ? [-across[0], -across[1]] : across;
        zone.signal = DEFAULT_SIGNAL.slice();
        zone.amber_grace_s = 1.0;
      } else {
        zone.polygon = points;
        if (DWELL[drawing.kind] !== undefined) {
          zone.dwell_s = DWELL[drawing.kind];
        }
        if (drawing.kind === "one_way") {
          zone.direction = [1, 0];
        }
      }
      this.data.zones.push(zone);
      this.selected = { kind: "zone", index: this.data.zones.length - 1 };
    }
    if (this.drawingHint) {
      this.drawingHint.textContent = format(this.texts.selected, { zone: this.label(this.selected) });
    }
    this.changed();
    this.renderAll();
  };

  // Move what a handle names to `point` (0..1).
  ZoneEditor.prototype.moveHandle = function (key, point) {
    var zone = this.selected.kind === "zone" ? this.item() : null;
    var parts = key.split(":");
    if (parts[0] === "point") {
      this.pointsOf(this.selected)[parseInt(parts[1], 10)] = point;
    } else if (parts[0] === "arrow" && zone) {
      var anchor = centroid(this.pointsOf(this.selected));
      var dx = (point[0] - anchor[0]) * this.width;
      var dy = (point[1] - anchor[1]) * this.height;
      if (Math.abs(dx) + Math.abs(dy) > 1) {
        // Stored in image shares, as the pipeline compares it with motion in the image.
        zone.direction = unit(dx / this.width, dy / this.height);
      }
    } else if (parts[0] === "signal" && zone) {
      var corner = parseInt(parts[1], 10);
      zone.signal[corner * 2] = point[0];
      zone.signal[corner * 2 + 1] = point[1];
    }
    this.changed();
    this.renderSvg();
  };

  ZoneEditor.prototype.handlePosition = function (key) {
    var el = this.svg.querySelector('[data-handle="' + key + '"]');
    return [parseFloat(el.getAttribute("cx")) / this.width, parseFloat(el.getAttribute("cy")) / this.height];
  };

  ZoneEditor.prototype.removePoint = function (index) {
    var points = this.pointsOf(this.selected);
    var item = this.item();
    var minimum = this.selected.kind === "mask" || POLYGON_KINDS[item.kind] ? 3 : 2;
    if (points.length <= minimum) {
      if (this.drawingHint) {
        this.drawingHint.textContent = this.texts.tooFew;
      }
      return;
    }
    points.splice(index, 1);
    this.changed();
    this.renderSvg();
    var next = this.svg.querySelector('[data-handle="point:' + Math.max(0, index - 1) + '"]');
    if (next) {
      next.focus();
    }
  };

  ZoneEditor.prototype.insertPoint = function (index) {
    var points = this.pointsOf(this.selected);
    var item = this.item();
    if (this.selected.kind === "zone" && !POLYGON_KINDS[item.kind]) {
      return;
    }
    var a = points[index];
    var b = points[(index + 1) % points.length];
    points.splice(index + 1, 0, [round((a[0] + b[0]) / 2), round((a[1] + b[1]) / 2)]);
    this.changed();
    this.renderSvg();
    var added = this.svg.querySelector('[data-handle="point:' + (index + 1) + '"]');
    if (added) {
      added.focus();
    }
  };

  // --- Events -----------------------------------------------------------------------------------------------

  ZoneEditor.prototype.bind = function () {
    var editor = this;
    this.root.querySelectorAll("[data-draw]").forEach(function (button) {
      button.addEventListener("click", function () {
        editor.startDrawing(button.dataset.draw);
      });
    });

    this.svg.addEventListener("pointerdown", function (event) {
      var target = event.target;
      if (target.dataset && target.dataset.handle) {
        event.preventDefault();
        target.focus();
        editor.drag = { key: target.dataset.handle };
        return;
      }
      if (editor.drawing) {
        event.preventDefault();
        editor.addPoint(editor.fromEvent(event));
        return;
      }
      if (target.dataset && target.dataset.index !== undefined) {
        editor.select({ kind: target.dataset.kind, index: parseInt(target.dataset.index, 10) });
      } else if (editor.selected) {
        editor.select(null);
      }
    });
    this.svg.addEventListener("pointermove", function (event) {
      if (editor.drawing && !editor.drag) {
        editor.cursor = editor.fromEvent(event);
        var draft = editor.svg.querySelector(".zone-drawing");
        if (draft) {
          editor.svg.removeChild(draft);
        }
        editor.renderDrawing(svgElement("g", { class: "zone-drawing" }, editor.svg));
      }
    });
    // On the window, so a drag goes on when the pointer leaves a handle that a re-render replaced.
    window.addEventListener("pointermove", function (event) {
      if (editor.drag) {
        editor.moveHandle(editor.drag.key, editor.fromEvent(event));
      }
    });
    window.addEventListener("pointerup", function () {
      if (editor.drag) {
        editor.drag = null;
        editor.renderAll();
      }
    });

    this.svg.addEventListener("keydown", function (event) {
      editor.keydown(event);
    });

    this.input.addEventListener("change", function () {
      var data = editor.parse(editor.input.value);
      if (!data) {
        if (editor.status) {
          editor.status.textContent = editor.texts.badJson;
        }
        return;
      }
      editor.data = data;
      editor.selected = null;
      editor.root.dataset.changed = "true";
      if (editor.status) {
        editor.status.textContent = editor.texts.changed;
      }
      editor.renderAll();
    });
  };

  var MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  ZoneEditor.prototype.keydown = function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    var move = MOVES[event.key];
    var step = event.shiftKey ? BIG_STEP : STEP;
    var key = target.dataset ? target.dataset.handle : null;
    if (key) {
      if (move) {
        event.preventDefault();
        var at = this.handlePosition(key);
        this.moveHandle(key, [round(clamp(at[0] + move[0] * step)), round(clamp(at[1] + move[1] * step))]);
      } else if ((event.key === "Delete" || event.key === "Backspace") && key.indexOf("point:") === 0) {
        event.preventDefault();
        this.removePoint(parseInt(key.split(":")[1], 10));
      } else if ((event.key === "+" || event.key === "=" || event.key === "Insert") && key.indexOf("point:") === 0) {
        event.preventDefault();
        this.insertPoint(parseInt(key.split(":")[1], 10));
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.svg.focus();
      }
      return;
    }
    if (!this.drawing) {
      if (event.key === "Escape" && this.selected) {
        this.select(null);
      }
      return;
    }
    if (move) {
      event.preventDefault();
      this.cursor = [round(clamp(this.cursor[0] + move[0] * step)), round(clamp(this.cursor[1] + move[1] * step))];
      this.renderSvg();
    } else if (event.key === " ") {
      event.preventDefault();
      this.addPoint(this.cursor.slice());
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.finishDrawing();
    } else if (event.key === "Escape") {
      event.preventDefault();
      this.cancelDrawing();
    }
  };

  document.querySelectorAll(".camera-map").forEach(positionMap);
  document.querySelectorAll(".zone-editor").forEach(function (root) {
    window.huesmartZoneEditor = new ZoneEditor(root);
  });
})();
