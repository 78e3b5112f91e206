/*
 * The centre's triage by keyboard, and the claim of the open case.
 *
 * The queue (templates/dashboard/triage.html, data-triage="queue"): J/K move between cases, Enter or O opens one,
 * X ticks it for a bulk action; htmx refreshes the rows every few seconds (the ticked cases go along in the request
 * and come back ticked, and htmx puts the focus back on the element of the same id).
 * The case screen (templates/dashboard/case.html, data-triage="case"): V verify, A assign to the suggested agency,
 * R the reason for rejecting (Ctrl+Enter sends it), M merge into the top duplicate, N/P next/previous case,
 * Q back to the queue. While the screen is open, a heartbeat extends the operator's claim on the case; leaving
 * with N, P or Q gives it back. "?" shows every shortcut; none acts while the operator types in a field.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-triage]");
  if (!root) {
    return;
  }
  var where = root.getAttribute("data-triage");
  var help = document.getElementById("shortcuts");

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) {
      return true;
    }
    if (tag === "input") {
      var type = (target.getAttribute("type") || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) === -1;
    }
    return false;
  }

  function toggleHelp() {
    if (!help || typeof help.showModal !== "function") {
      return;
    }
    if (help.open) {
      help.close();
    } else {
      help.showModal();
    }
  }

  var showHelp = document.getElementById("show-shortcuts");
  if (showHelp) {
    showHelp.addEventListener("click", toggleHelp);
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
  }

  function press(id) {
    var element = document.getElementById(id);
    if (!element) {
      return false;
    }
    element.focus();
    element.click();
    return true;
  }

  // --- the case screen -------------------------------------------------------------------------------------------

  var claim = document.getElementById("claim");
  var claimStatus = document.getElementById("claim-status");
  var mine = Boolean(document.getElementById("release-form"));

  function heartbeat() {
    post(claim.getAttribute("data-claim-url"))
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (answer) {
        if (answer.body.held && !mine) {
          // Another operator's claim lapsed and this page took the case over: show it as the operator's own.
          window.location.reload();
        } else if (!answer.body.held && answer.body.message && claimStatus) {
          mine = false;
          claimStatus.textContent = answer.body.message;
        }
      })
      .catch(function () {
        // Offline for a moment: the claim lasts minutes, the next beat tries again.
      });
  }

  if (where === "case" && claim) {
    var every = parseInt(claim.getAttribute("data-heartbeat"), 10) || 60;
    window.setInterval(heartbeat, every * 1000);
  }

  function leave(url) {
    if (mine && claim) {
      // keepalive: the release still goes out while the browser moves to the next page.
      post(claim.getAttribute("data-release-url"), true).catch(function () {});
      mine = false;
    }
    window.location.assign(url);
  }

  ["next-case", "previous-case", "back-to-queue"].forEach(function (id) {
    var link = document.getElementById(id);
    if (link) {
      link.addEventListener("click", function (event) {
        if (event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
          event.preventDefault();
          leave(link.href);
        }
      });
    }
  });

  function follow(id) {
    var link = document.getElementById(id);
    if (link) {
      leave(link.href);
    }
  }

  function focusReason() {
    var reason = document.querySelector("#reject-form textarea");
    if (reason) {
      reason.scrollIntoView({ block: "center" });
      reason.focus();
    }
  }

  var caseKeys = {
    v: function () {
      press("verify-button");
    },
    a: function () {
      press("assign-suggested");
    },
    r: focusReason,
    m: function () {
      press("merge-top-button");
    },
    n: function () {
      follow("next-case");
    },
    p: function () {
      follow("previous-case");
    },
    q: function () {
      follow("back-to-queue");
    },
  };

  // --- the queue -----------------------------------------------------------------------------------------------

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".queue-row"));
  }

  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".queue-row") : null;
  }

  function move(step) {
    var all = rows();
    if (!all.length) {
      return;
    }
    var at = all.indexOf(currentRow());
    var next = at === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    var link = all[next].querySelector("a.code");
    if (link) {
      link.focus();
      all[next].scrollIntoView({ block: "nearest" });
    }
  }

  var selectPage = document.getElementById("select-page");
  var selectedCount = document.getElementById("selected-count");

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll(".queue-select"));
  }

  function showSelection() {
    var all = boxes();
    var ticked = all.filter(function (box) {
      return box.checked;
    }).length;
    if (selectedCount) {
      selectedCount.textContent = ticked ? ticked + " / " + all.length : "";
    }
    if (selectPage) {
      selectPage.checked = ticked > 0 && ticked === all.length;
      selectPage.indeterminate = ticked > 0 && ticked < all.length;
    }
    rows().forEach(function (row) {
      var box = row.querySelector(".queue-select");
      row.classList.toggle("selected", Boolean(box && box.checked));
    });
  }

  if (where === "queue") {
    if (selectPage) {
      selectPage.addEventListener("change", function () {
        boxes().forEach(function (box) {
          box.checked = selectPage.checked;
        });
        showSelection();
      });
    }
    document.addEventListener("change", function (event) {
      if (event.target.classList && event.target.classList.contains("queue-select")) {
        showSelection();
      }
    });
    var focusedId = null;
    document.body.addEventListener("htmx:beforeSwap", function () {
      var active = document.activeElement;
      focusedId = active && active.id && active.closest("#queue") ? active.id : null;
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      showSelection();
      if (focusedId && document.activeElement === document.body) {
        var again = document.getElementById(focusedId);
        if (again) {
          again.focus({ preventScroll: true });
        }
      }
    });
    showSelection();
  }

  var queueKeys = {
    j: function () {
      move(1);
    },
    k: function () {
      move(-1);
    },
    o: function () {
      var row = currentRow();
      if (row) {
        window.location.assign(row.getAttribute("data-url"));
      }
    },
    x: function () {
      var row = currentRow();
      var box = row && row.querySelector(".queue-select");
      if (box) {
        box.checked = !box.checked;
        showSelection();
      }
    },
  };

  // --- the keys ------------------------------------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey) {
      return;
    }
    var target = event.target;
    if (typing(target)) {
      if (event.key === "Enter" && event.ctrlKey && target.form) {
        event.preventDefault();
        var submitter = document.getElementById(target.getAttribute("data-submit") || "");
        if (submitter) {
          submitter.click();
        } else {
          target.form.requestSubmit();
        }
      } else if (event.key === "Escape") {
        target.blur();
      }
      return;
    }
    if (event.ctrlKey) {
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (help && help.open) {
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (where === "queue" && key === "Enter" && target.classList && target.classList.contains("queue-select")) {
      event.preventDefault();
      queueKeys.o();
      return;
    }
    var action = (where === "case" ? caseKeys : queueKeys)[key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
})();
