/* Web Push for the channel choice (templates/reports/subscriptions/_channels.html): where the browser can receive
   pushes, the "notifications on this device" option is shown; choosing it asks for permission, subscribes with the
   VAPID public key of the fieldset's data-push-key, and puts the subscription's JSON in the hidden push_subscription
   field the form sends. The service worker that shows the notifications is registered elsewhere (or here, from
   data-push-worker, when the page names it). */
(function () {
  "use strict";

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function registration(workerUrl) {
    var ready = navigator.serviceWorker.ready;
    if (workerUrl) {
      return navigator.serviceWorker.register(workerUrl).then(function () {
        return ready;
      });
    }
    // Registered by the site's own script; give up if none comes.
    return Promise.race([
      ready,
      new Promise(function (resolve, reject) {
        window.setTimeout(function () {
          reject(new Error("no service worker"));
        }, 10000);
      }),
    ]);
  }

  function subscribe(fieldset) {
    return registration(fieldset.dataset.pushWorker).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        return (
          existing ||
          reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(fieldset.dataset.pushKey),
          })
        );
      });
    });
  }

  function setUp(fieldset) {
    var option = fieldset.querySelector("[data-push-option]");
    var input = option && option.querySelector("input");
    var hidden = fieldset.querySelector("input[name=push_subscription]");
    var status = fieldset.querySelector("[data-push-status]");
    if (!input || !hidden || !fieldset.dataset.pushKey || !supported()) {
      return;
    }
    option.hidden = false;

    function say(message) {
      status.textContent = message || "";
    }

    function failed(message) {
      hidden.value = "";
      if (input.type === "checkbox") {
        input.checked = false;
      }
      say(message);
    }

    function turnOn() {
      if (Notification.permission === "denied") {
        failed(fieldset.dataset.msgDenied);
        return;
      }
      say(fieldset.dataset.msgAsking);
      Notification.requestPermission()
        .then(function (permission) {
          if (permission !== "granted") {
            throw new Error("denied");
          }
          return subscribe(fieldset);
        })
        .then(function (subscription) {
          hidden.value = JSON.stringify(subscription.toJSON ? subscription.toJSON() : subscription);
          say(fieldset.dataset.msgReady);
        })
        .catch(function (error) {
          failed(error && error.message === "denied" ? fieldset.dataset.msgDenied : fieldset.dataset.msgFailed);
        });
    }

    fieldset.addEventListener("change", function (event) {
      if (event.target === input && input.checked) {
        turnOn();
      } else if (event.target === input || (input.type === "radio" && !input.checked)) {
        hidden.value = "";
        say("");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("fieldset[data-push-key]"), setUp);
  });
})();
