/*
 * "My reports": the reports sent from this phone, which the report page keeps in localStorage under
 * "huesmart.myReports" as [{"code", "url", "sentAt"}] ("url" is the reporter's private link). Lists them with
 * their public state (/me/phone-cases/), gives the account's rows their private link where the phone knows it,
 * and fills the form that adds them to the account. What localStorage holds is never trusted: codes are checked
 * against the tracking code's form, links must be this site's private links to that very case.
 */
(function () {
  "use strict";

  var section = document.getElementById("phone-section");
  if (!section) {
    return;
  }
  var list = document.getElementById("phone-cases");
  var empty = document.getElementById("phone-empty");
  var error = document.getElementById("phone-error");
  var claimForm = document.getElementById("claim-form");
  var textEl = document.getElementById("my-reports-text");
  var text = textEl ? JSON.parse(textEl.textContent) : {};
  var CODE = /^[A-Z0-9][A-Z0-9-]{0,39}$/;

  // The day in the city (data-time-zone on <body>), not on the phone's clock, which may sit in another zone.
  function cityDate(date) {
    var lang = document.documentElement.lang || undefined;
    var zone = document.body.dataset.timeZone;
    try {
      return date.toLocaleDateString(lang, zone ? { timeZone: zone } : undefined);
    } catch (e) {
      // An unknown zone name throws RangeError: the phone's clock beats no date at all.
      return date.toLocaleDateString(lang);
    }
  }

  // The private link to this case on this site, as a path, or null.
  function privatePath(code, url) {
    if (typeof url !== "string") {
      return null;
    }
    var parsed;
    try {
      parsed = new URL(url, window.location.origin);
    } catch (e) {
      return null;
    }
    var prefix = "/cases/" + encodeURIComponent(code) + "/follow/";
    if (parsed.origin !== window.location.origin || parsed.pathname.indexOf(prefix) !== 0) {
      return null;
    }
    var token = parsed.pathname.slice(prefix.length).replace(/\/$/, "");
    return /^[A-Za-z0-9_-]+$/.test(token) ? prefix + token + "/" : null;
  }

  function stored() {
    var raw;
    try {
      raw = JSON.parse(window.localStorage.getItem(section.dataset.storageKey) || "[]");
    } catch (e) {
      return [];
    }
    if (!Array.isArray(raw)) {
      return [];
    }
    var seen = {};
    var entries = [];
    raw.forEach(function (item) {
      if (!item || typeof item.code !== "string") {
        return;
      }
      var code = item.code.trim().toUpperCase();
      if (!CODE.test(code) || seen[code]) {
        return;
      }
      seen[code] = true;
      entries.push({ code: code, path: privatePath(code, item.url), sentAt: item.sentAt });
    });
    // Newest first, as the account's list.
    return entries.reverse().slice(0, 50);
  }

  function element(tag, className, content) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (content) {
      el.textContent = content;
    }
    return el;
  }

  function link(href, className, label) {
    var a = element("a", className, label);
    a.href = href;
    return a;
  }

  function row(entry, known) {
    var li = element("li", "case-row");
    li.dataset.code = entry.code;
    var head = element("p", "case-row-head");
    head.appendChild(known ? link(known.url, "code", entry.code) : element("span", "code", entry.code));
    if (known) {
      head.appendChild(document.createTextNode(" "));
      head.appendChild(element("span", "state state-" + known.state, known.state_label));
    }
    li.appendChild(head);
    var meta = [];
    // undefined while the states load, null for a code the site does not know.
    if (known) {
      meta.push(known.category);
    } else if (known === null) {
      meta.push(text.unknown || "");
    }
    var sent = entry.sentAt ? new Date(entry.sentAt) : null;
    if (sent && !isNaN(sent.getTime())) {
      meta.push((text.sent || "") + " " + cityDate(sent));
    }
    li.appendChild(element("p", "case-row-meta", meta.join(" · ")));
    var links = element("p", "case-row-links");
    if (entry.path) {
      links.appendChild(link(entry.path, "private-link", text.private || entry.path));
      links.appendChild(document.createTextNode(" "));
    }
    if (known) {
      links.appendChild(link(known.url, "public-link", text.public || known.url));
    }
    li.appendChild(links);
    return li;
  }

  function render(entries, known) {
    list.textContent = "";
    entries.forEach(function (entry) {
      list.appendChild(row(entry, known ? known[entry.code] || null : undefined));
    });
  }

  // The account's rows (rendered by the server) get the private link this phone kept.
  function linkAccountRows(entries) {
    var paths = {};
    entries.forEach(function (entry) {
      if (entry.path) {
        paths[entry.code] = entry.path;
      }
    });
    document.querySelectorAll("#account-cases [data-code]").forEach(function (li) {
      var anchor = li.querySelector("a.private-link");
      var path = paths[li.dataset.code];
      if (anchor && path && anchor.hidden) {
        anchor.href = path;
        anchor.hidden = false;
      }
    });
  }

  function offerClaim(entries) {
    if (!claimForm) {
      return;
    }
    // Cases the account's list already shows need no claim (those on its other pages get "already" back).
    var inAccount = {};
    document.querySelectorAll("#account-cases [data-code]").forEach(function (li) {
      inAccount[li.dataset.code] = true;
    });
    var claimable = entries.filter(function (entry) {
      return entry.path && !inAccount[entry.code];
    });
    if (!claimable.length) {
      return;
    }
    claimForm.elements.cases.value = JSON.stringify(
      claimable.map(function (entry) {
        return { code: entry.code, url: entry.path };
      })
    );
    claimForm.hidden = false;
  }

  var entries = stored();
  linkAccountRows(entries);
  if (!entries.length) {
    empty.hidden = false;
    return;
  }
  render(entries);
  offerClaim(entries);
  var codes = entries.map(function (entry) {
    return entry.code;
  });
  var url = section.dataset.casesUrl + "?codes=" + encodeURIComponent(codes.join(","));
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(function (data) {
      var known = {};
      (data.cases || []).forEach(function (item) {
        known[item.code] = item;
      });
      render(entries, known);
    })
    .catch(function () {
      error.textContent = text.unavailable || "";
      error.hidden = false;
    });
})();
