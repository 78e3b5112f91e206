/*
 * Reports waiting on the phone until the network returns: kept in IndexedDB with everything the form held (its
 * fields, the place, the photos as Blobs) and the idempotency key made on the phone, then each POSTed to the report
 * page. The server answers a report sent again under the same key with the first one's case
 * (reports/idempotency.py), so a retry after a lost answer, or the page and the service worker sending the same
 * report at once, still make one case.
 *
 * Runs in pages (report-form.js draws the list) and in the service worker (static/js/sw.js sends the queue on
 * Background Sync), so it uses no DOM: answers are read with regular expressions on the server's own templates.
 * It also keeps the citizen's sent reports in localStorage "huesmart.myReports" ({code, url, sentAt}, url the
 * private follow link), which the worker cannot reach: pages copy what it sent there when they load.
 */
(function (root) {
  "use strict";

  if (!root.indexedDB || !root.fetch || !root.FormData || !root.Promise) {
    return;
  }

  var DB_NAME = "huesmart-reports";
  var STORE = "reports";
  var SYNC_TAG = "huesmart-send-reports";
  var LOCK = "huesmart-send-reports";
  var CHANNEL = "huesmart-reports";
  var MY_REPORTS = "huesmart.myReports";
  var MY_REPORTS_KEPT = 200;
  // Sent reports stay in the list a while so the citizen sees their codes, then go (they are in myReports).
  var SENT_KEPT_MS = 7 * 24 * 3600 * 1000;
  // Without Web Locks, a report another tab started sending this long ago is taken as abandoned.
  var SENDING_STALE_MS = 2 * 60 * 1000;
  var TOKEN_TIMEOUT_MS = 20000;
  // A POST may carry photos and a video: 30 s, and one more second for every 25 kB, as a weak 3G link moves.
  var POST_BASE_MS = 30000;
  var POST_BYTES_PER_MS = 25;

  var channel = root.BroadcastChannel ? new root.BroadcastChannel(CHANNEL) : null;
  var listeners = [];

  // Tells this page's list and, through the channel, other pages' and the worker's.
  function changed() {
    if (channel) {
      channel.postMessage("changed");
    }
    listeners.forEach(function (listener) {
      listener();
    });
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  // One transaction; work(store) may return a request whose result the promise gives.
  function transact(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        tx.onerror = tx.onabort = function () {
          db.close();
          reject(tx.error || (request && request.error));
        };
      });
    });
  }

  function all() {
    return transact("readonly", function (store) {
      return store.getAll();
    }).then(function (records) {
      return records.sort(function (a, b) {
        return a.createdAt - b.createdAt;
      });
    });
  }

  function get(key) {
    return transact("readonly", function (store) {
      return store.get(key);
    });
  }

  function put(record) {
    return transact("readwrite", function (store) {
      store.put(record);
    }).then(function () {
      changed();
      return record;
    });
  }

  function remove(key) {
    return transact("readwrite", function (store) {
      store["delete"](key);
    }).then(changed);
  }

  // A new report in the queue: {key, action, fields: [[name, value]], files: [File], summary, createdAt}.
  function save(record) {
    record.state = "waiting";
    record.attempts = 0;
    record.errors = [];
    return put(record);
  }

  function update(key, changes) {
    return get(key).then(function (record) {
      if (!record) {
        return null;
      }
      Object.keys(changes).forEach(function (name) {
        record[name] = changes[name];
      });
      return put(record);
    });
  }

  function unescapeHtml(text) {
    return text
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#x?0*27;|&#39;/g, "'")
      .replace(/&amp;/g, "&");
  }

  function withTimeout(ms, start) {
    var controller = root.AbortController ? new root.AbortController() : null;
    var timer = root.setTimeout(function () {
      if (controller) {
        controller.abort();
      }
    }, ms);
    return start(controller ? controller.signal : undefined).then(
      function (value) {
        root.clearTimeout(timer);
        return value;
      },
      function (error) {
        root.clearTimeout(timer);
        throw error;
      }
    );
  }

  function Transient(reason) {
    this.transient = true;
    this.reason = reason;
  }

  // A fresh CSRF token from the report page itself: a page kept for offline use carries a stale one. The answer
  // also sets the CSRF cookie when the browser has none yet. Never from a cache.
  function freshToken(action) {
    return withTimeout(TOKEN_TIMEOUT_MS, function (signal) {
      return root.fetch(action, { credentials: "same-origin", cache: "no-store", signal: signal });
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Transient("token " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var match = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        if (!match) {
          throw new Transient("no token");
        }
        return match[1];
      });
  }

  function bytesOf(record) {
    return (record.files || []).reduce(function (sum, file) {
      return sum + (file.size || 0);
    }, 0);
  }

  function formData(record, token) {
    var data = new root.FormData();
    record.fields.forEach(function (pair) {
      if (pair[0] !== "csrfmiddlewaretoken") {
        data.append(pair[0], pair[1]);
      }
    });
    data.append("csrfmiddlewaretoken", token);
    (record.files || []).forEach(function (file) {
      data.append("media", file, file.name || "file");
    });
    return data;
  }

  // The server's messages on a refused report: the report page's error summary, else its heading.
  function refusalMessages(html) {
    var summary = /id="error-summary"[\s\S]*?<\/ul>/.exec(html);
    var source = summary ? summary[0] : (/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html) || [""])[0];
    var items = summary ? source.match(/<li[^>]*>[\s\S]*?<\/li>/g) || [] : [source];
    return items
      .map(function (item) {
        return unescapeHtml(item.replace(/<[^>]*>/g, "")).replace(/\s+/g, " ").trim();
      })
      .filter(Boolean);
  }

  // POSTs one report: {state: "sent", code, url (the private follow link), page} or {state: "refused", errors,
  // status, token}; rejects with a Transient error when it should be tried again (no network, a timeout, the
  // server busy or down).
  function post(record) {
    return freshToken(record.action)
      .then(function (token) {
        return withTimeout(POST_BASE_MS + bytesOf(record) / POST_BYTES_PER_MS, function (signal) {
          return root.fetch(record.action, {
            method: "POST",
            body: formData(record, token),
            credentials: "same-origin",
            cache: "no-store",
            signal: signal,
          });
        }).then(function (response) {
          return answer(response, token);
        });
      })
      .catch(function (error) {
        throw error && error.transient ? error : new Transient(String(error));
      });
  }

  function answer(response, token) {
    var sent = /\/report\/sent\/([^/]+)\/$/.exec(new URL(response.url).pathname);
    if (response.ok && sent) {
      return response.text().then(function (html) {
        var link = /data-follow-url="([^"]*)"/.exec(html);
        return {
          state: "sent",
          code: decodeURIComponent(sent[1]),
          url: link ? unescapeHtml(link[1]) : "",
          page: response.url,
        };
      });
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new Transient("status " + response.status);
    }
    return response.text().then(function (html) {
      return { state: "refused", status: response.status, errors: refusalMessages(html), token: token };
    });
  }

  function settle(record, result) {
    if (result.state === "sent") {
      // The report is on the server now: the phone keeps only what the list shows (not the contact details), and
      // frees the photos' space.
      return update(record.key, {
        state: "sent",
        code: result.code,
        url: result.url,
        sentAt: new Date().toISOString(),
        fields: [],
        files: [],
        errors: [],
        recorded: false,
      });
    }
    return update(record.key, { state: "refused", errors: result.errors, status: result.status });
  }

  function sendOne(record) {
    return update(record.key, { state: "sending", sendingSince: Date.now() })
      .then(function () {
        return post(record);
      })
      .then(
        function (result) {
          return settle(record, result).then(function () {
            return result;
          });
        },
        function (error) {
          return update(record.key, { state: "waiting", attempts: (record.attempts || 0) + 1 }).then(function () {
            throw error;
          });
        }
      );
  }

  function withLock(work) {
    var locks = root.navigator && root.navigator.locks;
    if (locks && locks.request) {
      return locks.request(LOCK, function () {
        return work(true);
      });
    }
    return work(false);
  }

  // Sends every waiting report, one after the other; stops at the first that cannot go now. Resolves to the number
  // still waiting (0: all sent or refused).
  function flush() {
    return withLock(function (locked) {
      return all().then(function (records) {
        var now = Date.now();
        var due = records.filter(function (record) {
          if (record.state === "waiting") {
            return true;
          }
          // Under the lock nobody else is sending: a report left "sending" was cut off (a closed tab, a killed worker).
          return record.state === "sending" && (locked || now - (record.sendingSince || 0) > SENDING_STALE_MS);
        });
        var index = 0;
        function next() {
          if (index >= due.length) {
            return 0;
          }
          var record = due[index];
          index += 1;
          return sendOne(record).then(next, function (error) {
            if (error && error.transient) {
              return due.length - index + 1;
            }
            throw error;
          });
        }
        return next();
      });
    });
  }

  // Old sent reports leave the list.
  function prune() {
    var cutoff = Date.now() - SENT_KEPT_MS;
    return all().then(function (records) {
      return Promise.all(
        records
          .filter(function (record) {
            return record.state === "sent" && Date.parse(record.sentAt) < cutoff;
          })
          .map(function (record) {
            return remove(record.key);
          })
      );
    });
  }

  function requestSync() {
    var container = root.navigator && root.navigator.serviceWorker;
    if (!container || !root.document) {
      return;
    }
    container.ready
      .then(function (registration) {
        return registration.sync ? registration.sync.register(SYNC_TAG) : null;
      })
      .catch(function () {
        // No Background Sync: the page sends the queue when it is open and online.
      });
  }

  // The citizen's sent reports, for the /me/ page: one entry per tracking code.
  function rememberMine(code, url, sentAt) {
    if (!root.localStorage || !code || !url) {
      return;
    }
    try {
      var mine = JSON.parse(root.localStorage.getItem(MY_REPORTS) || "[]");
      if (!Array.isArray(mine)) {
        mine = [];
      }
      var known = mine.some(function (entry) {
        return entry && entry.code === code;
      });
      if (!known) {
        mine.push({ code: code, url: url, sentAt: sentAt || new Date().toISOString() });
        root.localStorage.setItem(MY_REPORTS, JSON.stringify(mine.slice(-MY_REPORTS_KEPT)));
      }
    } catch (error) {
      // No storage (private browsing, full): the sent page showed the link.
    }
  }

  // What the service worker sent while no page was open goes to myReports now.
  function recordSent() {
    return all().then(function (records) {
      return Promise.all(
        records
          .filter(function (record) {
            return record.state === "sent" && !record.recorded;
          })
          .map(function (record) {
            rememberMine(record.code, record.url, record.sentAt);
            return update(record.key, { recorded: true });
          })
      );
    });
  }

  root.huesmartQueue = {
    SYNC_TAG: SYNC_TAG,
    all: all,
    get: get,
    save: save,
    remove: remove,
    post: post,
    flush: flush,
    prune: prune,
    requestSync: requestSync,
    rememberMine: rememberMine,
    recordSent: recordSent,
    onChange: function (listener) {
      listeners.push(listener);
      if (channel) {
        // A channel does not hear its own messages: other pages' and the worker's changes arrive here.
        channel.addEventListener("message", listener);
      }
    },
  };

  // The sent page (templates/reports/submitted.html) of a report sent online.
  if (root.document) {
    var code = root.document.getElementById("tracking-code");
    var link = root.document.getElementById("follow-link");
    if (code && link) {
      rememberMine(code.textContent.trim(), link.dataset.followUrl || link.href);
    }
    recordSent().catch(function () {});
  }
})(self);
