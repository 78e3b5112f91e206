/*
 * The camera review queue's keyboard (templates/dashboard/cameras/review.html). The page works without it: these
 * keys press the page's own buttons and links.
 *
 *   C       confirm (submits #confirm-form)
 *   D       dismiss mode; then 1-5 picks the reason and submits #dismiss-form ("other" asks for the note first)
 *   J / K   next / previous detection (#review-next, #review-previous)
 *   P       play or pause the clip
 *   Esc     leave dismiss mode
 *
 * Keys typed into a field, or with Ctrl, Alt or Meta, are left alone. A form is submitted once only.
 */
(function () {
  "use strict";

  var review = document.getElementById("review");
  if (!review) {
    return;
  }
  var confirmForm = document.getElementById("confirm-form");
  var dismissForm = document.getElementById("dismiss-form");
  var mode = document.getElementById("review-mode");
  var dismissing = false;
  var sent = false;

  function say(text) {
    if (mode) {
      mode.textContent = text || "";
    }
  }

  function setDismissing(on) {
    dismissing = on;
    review.classList.toggle("dismissing", on);
    if (dismissForm) {
      say(on ? dismissForm.querySelector("legend").textContent.replace(/\s+/g, " ").trim() : "");
    }
  }

  function submit(form) {
    if (!form || sent) {
      return;
    }
    sent = true;
    review.classList.add("sending");
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) {
      window.location.href = link.href;
    }
  }

  function typing(target) {
    var name = target && target.tagName;
    return name === "INPUT" || name === "TEXTAREA" || name === "SELECT" || (target && target.isContentEditable);
  }

  function pickReason(number) {
    var radio = dismissForm && dismissForm.querySelector('input[name="reason"][data-key="' + number + '"]');
    if (!radio) {
      return;
    }
    radio.checked = true;
    var note = dismissForm.querySelector('input[name="note"]');
    if (radio.value === "other" && note && !note.value.trim()) {
      // "Other" needs a note: the operator writes it, then presses Enter.
      note.focus();
      setDismissing(false);
      return;
    }
    submit(dismissForm);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) {
      if (event.key === "Escape" && typing(event.target)) {
        event.target.blur();
      }
      return;
    }
    var key = event.key.toLowerCase();
    if (dismissing) {
      if (/^[1-9]$/.test(key)) {
        event.preventDefault();
        pickReason(key);
      } else if (key === "escape" || key === "d") {
        event.preventDefault();
        setDismissing(false);
      }
      return;
    }
    if (key === "c" && confirmForm) {
      event.preventDefault();
      submit(confirmForm);
    } else if (key === "d" && dismissForm) {
      event.preventDefault();
      setDismissing(true);
    } else if (key === "j") {
      event.preventDefault();
      follow("review-next");
    } else if (key === "k") {
      event.preventDefault();
      follow("review-previous");
    } else if (key === "p") {
      var clip = document.getElementById("review-clip");
      if (clip) {
        event.preventDefault();
        if (clip.paused) {
          clip.play();
        } else {
          clip.pause();
        }
      }
    }
  });

  [confirmForm, dismissForm].forEach(function (form) {
    if (form) {
      form.addEventListener("submit", function () {
        sent = true;
      });
    }
  });
  var error = document.getElementById("review-error");
  if (error) {
    error.focus();
  }
  review.dataset.keyboard = "ready";
})();
