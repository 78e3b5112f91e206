/*
 * Resumable uploads for the report form, for phones on weak networks. Files the citizen picks are sent at
 * once, one after another, in chunks (the tus protocol, through the vendored tus-js-client), each with a
 * progress bar; a failed chunk is retried with growing pauses, and a dropped connection resumes where the
 * server says the file stands. Photos larger than the pages need (over 2560 px on the long side) are made
 * smaller first, as JPEG: that also drops the photo's EXIF (its GPS place and time), which only photos sent
 * unchanged keep for the server to read. The form then carries the finished uploads' ids (hidden inputs
 * named "upload") instead of the files, and its button waits until every file is sent.
 *
 * Without JavaScript or tus support nothing changes: the file inputs send the files with the form. Loads
 * before report-form.js, which leaves the file list to this script when the fieldset says
 * data-uploader="active".
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  var fieldset = document.getElementById("media-fieldset");
  if (!form || !fieldset || !fieldset.dataset.uploadUrl || !window.tus || !window.tus.isSupported) {
    return;
  }

  var MAX_SIDE = 2560;
  var JPEG_QUALITY = 0.85;
  // Small enough that a dropped connection loses little, large enough that a request's overhead stays small.
  var CHUNK_BYTES = 1024 * 1024;
  // Pauses before each retry of a failed request (milliseconds); they start again after every chunk that got
  // through, so only a connection that stays down for minutes ends in "failed".
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000];
  var PENDING = { preparing: true, queued: true, uploading: true, offline: true };

  var msg = fieldset.dataset;
  var list = document.getElementById("media-list");
  var inputs = fieldset.querySelectorAll('input[type="file"][name="media"]');
  var button = document.getElementById("submit-report");
  var buttonText = button.textContent;
  var csrfToken = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var items = [];
  var queue = [];
  var active = null;
  var counter = 0;
  var submitting = false;

  fieldset.dataset.uploader = "active";

  // Written the page language's way, as the server writes the limits beside the field ("15,0 MB" in Vietnamese).
  var sizeFormat = window.Intl
    ? new Intl.NumberFormat(document.documentElement.lang || undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    : null;

  function megabytes(bytes) {
    var size = bytes / (1024 * 1024);
    return (sizeFormat ? sizeFormat.format(size) : size.toFixed(1)) + " MB";
  }

  function detailUrl(id) {
    return msg.uploadUrl + id + "/";
  }

  // The send button: disabled while a file is on its way, or while one could not be sent, and saying why.
  function updateButton() {
    if (submitting) {
      return;
    }
    var pending = 0;
    var problems = 0;
    items.forEach(function (item) {
      if (PENDING[item.state]) {
        pending += 1;
      } else if (item.state !== "done") {
        problems += 1;
      }
    });
    button.disabled = pending > 0 || problems > 0;
    button.textContent = pending > 0 ? button.dataset.msgWaiting : problems > 0 ? button.dataset.msgBlocked : buttonText;
  }

  function setState(item, state, text) {
    item.state = state;
    item.element.className = "upload upload-" + state + (state === "failed" || state === "refused" ? " error" : "");
    item.status.textContent = text;
    item.retry.hidden = state !== "failed";
    item.bar.hidden = state === "refused";
    item.percent.hidden = state === "refused";
    updateButton();
  }

  function setProgress(item, fraction) {
    var percent = Math.min(100, Math.floor(fraction * 100));
    item.bar.value = percent;
    item.percent.textContent = percent + "%";
  }

  function makeItem(name) {
    counter += 1;
    var element = document.createElement("li");
    var label = document.createElement("span");
    label.className = "upload-name";
    label.id = "upload-name-" + counter;
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-labelledby", label.id);
    var percent = document.createElement("span");
    percent.className = "upload-percent";
    // The bar itself tells assistive technology its value; the list's live region announces only states.
    percent.setAttribute("aria-hidden", "true");
    percent.textContent = "0%";
    var status = document.createElement("span");
    status.className = "upload-status";
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "button small";
    retry.textContent = msg.msgRetry;
    retry.setAttribute("aria-describedby", label.id);
    retry.hidden = true;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button small";
    remove.textContent = msg.msgRemove;
    remove.setAttribute("aria-describedby", label.id);
    element.append(label, " ", bar, " ", percent, " ", status, " ", retry, " ", remove);
    list.appendChild(element);
    var item = {
      element: element,
      name: name,
      bar: bar,
      percent: percent,
      status: status,
      retry: retry,
      state: "preparing",
      file: null,
      resized: false,
      upload: null,
      id: null,
    };
    retry.addEventListener("click", function () {
      enqueue(item);
    });
    remove.addEventListener("click", function () {
      removeItem(item);
    });
    items.push(item);
    return item;
  }

  function removeItem(item) {
    items.splice(items.indexOf(item), 1);
    queue = queue.filter(function (other) {
      return other !== item;
    });
    item.element.remove();
    if (item.upload) {
      // Stops a running upload; the server forgets what it received (a failed request is left to expire).
      item.upload.abort(true).catch(function () {});
    } else if (item.id) {
      window.tus.Upload.terminate(detailUrl(item.id), { headers: { "X-CSRFToken": csrfToken } }).catch(function () {});
    }
    if (active === item) {
      active = null;
      pump();
    }
    updateButton();
  }

  // Photos larger than needed are drawn smaller onto a canvas; anything the browser cannot decode goes as it is.
  function prepare(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return window
      .createImageBitmap(file, { imageOrientation: "from-image" })
      .then(function (bitmap) {
        var side = Math.max(bitmap.width, bitmap.height);
        if (side <= MAX_SIDE) {
          bitmap.close();
          return file;
        }
        var scale = MAX_SIDE / side;
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        var context = canvas.getContext("2d");
        // JPEG has no transparency: a PNG's transparent parts become white rather than black.
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.imageSmoothingQuality = "high";
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        bitmap.close();
        return new Promise(function (resolve) {
          canvas.toBlob(
            function (blob) {
              if (!blob) {
                resolve(file);
                return;
              }
              var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
              // The same name and date each time, so that picking the photo again resumes its upload.
              resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
            },
            "image/jpeg",
            JPEG_QUALITY
          );
        });
      })
      .catch(function () {
        return file;
      });
  }

  function counted() {
    var kept = list.querySelectorAll("li[data-upload-id]").length;
    return (
      kept +
      items.filter(function (item) {
        return item.state !== "refused";
      }).length
    );
  }

  function add(file) {
    var tooMany = counted() >= Number(msg.maxFiles);
    var item = makeItem(file.name);
    if (tooMany) {
      setState(item, "refused", ": " + msg.msgTooMany);
      return;
    }
    setState(item, "preparing", msg.msgPreparing);
    prepare(file).then(function (prepared) {
      if (items.indexOf(item) < 0) {
        return;
      }
      var video = prepared.type.indexOf("video/") === 0;
      var limit = video ? Number(msg.maxVideoBytes) : Number(msg.maxPhotoBytes);
      if (prepared.size > limit) {
        setState(item, "refused", "(" + megabytes(prepared.size) + "): " + msg.msgTooLarge.replace("{max}", megabytes(limit)));
        return;
      }
      item.file = prepared;
      item.resized = prepared !== file;
      enqueue(item);
    });
  }

  function enqueue(item) {
    setState(item, "queued", msg.msgQueued);
    queue.push(item);
    pump();
  }

  // One file at a time: on a weak connection, files sent side by side only slow each other down.
  function pump() {
    if (active || !queue.length) {
      return;
    }
    active = queue.shift();
    send(active);
  }

  function finished(item) {
    if (active === item) {
      active = null;
    }
    pump();
  }

  function send(item) {
    setState(item, "uploading", msg.msgUploading);
    if (item.upload) {
      // Retry or back online: the upload asks the server where it stands and goes on from there.
      item.upload.start();
      return;
    }
    var upload = new window.tus.Upload(item.file, {
      endpoint: msg.uploadUrl,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS,
      removeFingerprintOnSuccess: true,
      headers: { "X-CSRFToken": csrfToken },
      metadata: { filename: item.file.name, filetype: item.file.type || "application/octet-stream" },
      onProgress: function (sent, total) {
        setProgress(item, total ? sent / total : 1);
      },
      onSuccess: function () {
        item.id = upload.url.replace(/\/$/, "").split("/").pop();
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "upload";
        hidden.value = item.id;
        item.element.appendChild(hidden);
        setProgress(item, 1);
        setState(item, "done", item.resized ? msg.msgUploaded + " " + msg.msgResized : msg.msgUploaded);
        finished(item);
      },
      onError: function () {
        if (items.indexOf(item) < 0) {
          return;
        }
        if (!navigator.onLine) {
          // Not a failure: the file goes on as soon as the phone is online again.
          setState(item, "offline", msg.msgOffline);
          window.addEventListener(
            "online",
            function () {
              if (items.indexOf(item) >= 0 && item.state === "offline") {
                send(item);
              }
            },
            { once: true }
          );
          return;
        }
        setState(item, "failed", msg.msgFailed);
        finished(item);
      },
    });
    item.upload = upload;
    upload
      .findPreviousUploads()
      .then(function (previous) {
        // The same file picked again after a reload: go on with what the server already has.
        if (previous.length) {
          upload.resumeFromPreviousUpload(previous[0]);
        }
        upload.start();
      })
      .catch(function () {
        upload.start();
      });
  }

  // Files sent ahead when the form came back for another reason: they can be removed too.
  list.querySelectorAll("li[data-upload-id]").forEach(function (element) {
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button small";
    remove.textContent = msg.msgRemove;
    remove.addEventListener("click", function () {
      element.remove();
      window.tus.Upload.terminate(detailUrl(element.dataset.uploadId), { headers: { "X-CSRFToken": csrfToken } }).catch(
        function () {}
      );
    });
    element.append(" ", remove);
  });

  inputs.forEach(function (input) {
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, add);
      // The files go by upload now, not with the form.
      input.value = "";
    });
  });

  form.addEventListener("submit", function () {
    submitting = true;
  });
})();
