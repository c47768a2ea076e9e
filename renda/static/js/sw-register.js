/* Registers the service worker (/sw.js) that keeps the site's static files on a phone,
   never its pages; the script tag names the worker's address in data-sw. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-sw");
  if (!url || !("serviceWorker" in navigator)) {
    return;
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      // No worker (an old browser, plain http): the site works as before.
    });
  });
})();
