// winiadmin: drag-and-drop onto the file field, and the upload progress bar (htmx's xhr events).
(function () {
  "use strict";
  function setUp(root) {
    root.querySelectorAll("[data-winiadmin-dropzone]").forEach(function (zone) {
      var input = zone.querySelector("input[type=file]");
      if (!input || zone.dataset.winiadminReady) { return; }
      zone.dataset.winiadminReady = "1";
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("is-dragover");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("is-dragover"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSwap", function (event) { setUp(event.target); });
  // A permission refusal (HTTP 403, winiadmin.admin.refusals) replaces the wizard with its page:
  // htmx leaves 4xx answers unswapped unless told.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 403 && xhr.getResponseHeader("X-Winiadmin-Refusal")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.getElementById("winiadmin-upload-progress");
    if (bar && event.detail.lengthComputable) {
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });
})();
