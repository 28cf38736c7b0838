/* The office's check, opened on a phone: can the offline worker (outbox, home-screen app) run on this
   address? It needs a secure page (HTTPS) with a certificate the phone trusts: a self-signed one lets
   pages open but refuses the worker. Registers an empty worker in its own scope, then removes it. */
"use strict";
(function () {
  var box = document.getElementById("phone-check");
  if (!box) return;
  var out = box.querySelector("[data-result]");
  function show(state) {
    box.setAttribute("data-state", state);
    out.textContent = box.querySelector('template[data-for="' + state + '"]').innerHTML;
  }
  if (!window.isSecureContext) { show("insecure"); return; }
  if (!("serviceWorker" in navigator)) { show("unsupported"); return; }
  navigator.serviceWorker.register(box.getAttribute("data-worker"), {scope: box.getAttribute("data-scope")})
    .then(function (registration) { show("ok"); return registration.unregister(); })
    // A certificate the phone does not trust refuses the worker with a SecurityError; anything else is
    // another fault (the check's own file missing, a policy), not a reason to install a certificate.
    .catch(function (error) { show(error && error.name === "SecurityError" ? "untrusted" : "failed"); });
})();
