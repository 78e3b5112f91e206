/*
 * The centre's redaction page (templates/dashboard/media/detail.html): blurred areas drawn over the original,
 * drawn by dragging on it, removed from the list, and kept as JSON in the form's hidden `boxes` input as
 * [{"x", "y", "w", "h", "source"}] in 0..1 coordinates of the upright picture. The server decides what is kept
 * (reports/redaction.py); this only edits the list. Texts come translated in the form's data-label-* attributes.
 */
(function () {
  "use strict";

  // A drag smaller than this (a fraction of the side) is a click, not an area.
  var MIN_SIDE = 0.01;
  var DIGITS = 10000;

  function clamp(value) {
    return Math.min(1, Math.max(0, value));
  }

  function round(value) {
    return Math.round(value * DIGITS) / DIGITS;
  }

  function parse(text) {
    try {
      var boxes = JSON.parse(text || "[]");
      return Array.isArray(boxes) ? boxes.filter(isBox) : [];
    } catch (error) {
      return [];
    }
  }

  function isBox(box) {
    return box && ["x", "y", "w", "h"].every(function (side) {
      return typeof box[side] === "number" && isFinite(box[side]);
    });
  }

  function label(template, n) {
    return (template || "").replace("{n}", String(n));
  }

  function Editor(form) {
    this.form = form;
    this.input = form.querySelector("input[name=boxes]");
    this.list = form.querySelector("#blur-box-list");
    this.status = form.querySelector("#redaction-status");
    this.canvas = document.getElementById(form.dataset.canvas);
    this.max = parseInt(form.dataset.maxBoxes, 10) || 50;
    this.boxes = parse(this.input.value);
    this.draft = null;
    this.bind();
    this.render();
  }

  Editor.prototype.point = function (event) {
    var rect = this.canvas.getBoundingClientRect();
    return {
      x: clamp((event.clientX - rect.left) / rect.width),
      y: clamp((event.clientY - rect.top) / rect.height),
    };
  };

  Editor.prototype.bind = function () {
    var editor = this;
    var canvas = this.canvas;
    canvas.classList.add("is-editable");
    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== undefined && event.button !== 0) {
        return;
      }
      if (editor.boxes.length >= editor.max) {
        editor.say(editor.form.dataset.labelTooMany);
        return;
      }
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      var start = editor.point(event);
      var element = document.createElement("div");
      element.className = "blur-box blur-box-operator is-draft";
      canvas.appendChild(element);
      editor.draft = { start: start, box: { x: start.x, y: start.y, w: 0, h: 0 }, element: element };
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!editor.draft) {
        return;
      }
      var start = editor.draft.start;
      var now = editor.point(event);
      var box = {
        x: Math.min(start.x, now.x),
        y: Math.min(start.y, now.y),
        w: Math.abs(now.x - start.x),
        h: Math.abs(now.y - start.y),
      };
      editor.draft.box = box;
      place(editor.draft.element, box);
    });
    function finish(keep) {
      if (!editor.draft) {
        return;
      }
      var box = editor.draft.box;
      editor.draft.element.remove();
      editor.draft = null;
      if (keep && box.w >= MIN_SIDE && box.h >= MIN_SIDE) {
        var x = round(box.x);
        var y = round(box.y);
        editor.boxes.push({
          x: x,
          y: y,
          w: Math.min(round(box.w), round(1 - x)),
          h: Math.min(round(box.h), round(1 - y)),
          source: "operator",
        });
        editor.changed();
      }
    }
    canvas.addEventListener("pointerup", function () {
      finish(true);
    });
    canvas.addEventListener("pointercancel", function () {
      finish(false);
    });
  };

  Editor.prototype.say = function (text) {
    if (this.status) {
      this.status.textContent = text || "";
    }
  };

  Editor.prototype.changed = function () {
    this.render();
    this.say(this.form.dataset.labelUnsaved);
  };

  Editor.prototype.remove = function (index) {
    this.boxes.splice(index, 1);
    this.changed();
    // Keep the keyboard where it was: on the next area's button, else the previous one, else saving.
    var buttons = this.list.querySelectorAll("button");
    var next = buttons[Math.min(index, buttons.length - 1)] || this.form.querySelector("button[type=submit]");
    if (next) {
      next.focus();
    }
  };

  function place(element, box) {
    element.style.left = box.x * 100 + "%";
    element.style.top = box.y * 100 + "%";
    element.style.width = box.w * 100 + "%";
    element.style.height = box.h * 100 + "%";
  }

  Editor.prototype.render = function () {
    var editor = this;
    var data = this.form.dataset;
    this.input.value = JSON.stringify(this.boxes);
    this.canvas.querySelectorAll(".blur-box:not(.is-draft)").forEach(function (element) {
      element.remove();
    });
    this.list.textContent = "";
    if (!this.boxes.length) {
      var empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = data.labelEmpty;
      this.list.appendChild(empty);
    }
    this.boxes.forEach(function (box, index) {
      var n = index + 1;
      var source = box.source === "auto" ? "auto" : "operator";
      var overlay = document.createElement("div");
      overlay.className = "blur-box blur-box-" + source;
      overlay.dataset.number = String(n);
      var tag = document.createElement("span");
      tag.className = "blur-box-number";
      tag.textContent = String(n);
      overlay.appendChild(tag);
      place(overlay, box);
      editor.canvas.appendChild(overlay);

      var item = document.createElement("li");
      item.className = "blur-box-item blur-box-item-" + source;
      var text = document.createElement("span");
      text.textContent =
        label(data.labelArea, n) + " (" + (source === "auto" ? data.labelAuto : data.labelOperator) + ")";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = label(data.labelRemove, n);
      button.addEventListener("click", function () {
        editor.remove(index);
      });
      ["focus", "mouseenter"].forEach(function (name) {
        button.addEventListener(name, function () {
          overlay.classList.add("is-active");
        });
      });
      ["blur", "mouseleave"].forEach(function (name) {
        button.addEventListener(name, function () {
          overlay.classList.remove("is-active");
        });
      });
      item.appendChild(text);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(button);
      editor.list.appendChild(item);
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("redaction-form");
    if (form && document.getElementById(form.dataset.canvas)) {
      new Editor(form);
    }
  });
})();
