/*
 * The good deed / thanks form: the agency choice only shows for a thanks. Without this script both show, and the
 * server ignores the agency of a good deed. Place, files and the one-tap guard come from report-form.js.
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  var agency = document.getElementById("agency-choice");
  if (!form || !agency || !form.dataset.thanks) {
    return;
  }
  var radios = form.querySelectorAll('input[name="category"]');

  function chosenIsThanks() {
    var thanks = false;
    radios.forEach(function (radio) {
      if (radio.checked && radio.dataset.code === form.dataset.thanks) {
        thanks = true;
      }
    });
    return thanks;
  }

  function update() {
    agency.hidden = !chosenIsThanks();
  }

  radios.forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
