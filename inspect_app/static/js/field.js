/* Shared helpers of the inspector's pages: CSRF-aware requests, UUIDs, GPS, photo downscaling,
   error display. No framework: the pages must stay light on a weak mobile connection. */
"use strict";
var Field = (function () {
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function request(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({"X-CSRFToken": csrf, "Accept": "application/json"}, options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var body;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        return {status: response.status, ok: response.ok, body: body || {}};
      });
    });
  }

  function postJSON(url, data) {
    return request(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(data)});
  }

  function postForm(url, formData) {
    return request(url, {method: "POST", body: formData});
  }

  /* Photos go to the server at most maxSide px on the long side, as JPEG: hundreds of KB, not MB.
     A file the browser cannot decode is sent as it is, so the server can say what is wrong with it. */
  function downscale(file, maxSide) {
    maxSide = maxSide || 2048;
    if (!window.createImageBitmap || !/^image\//.test(file.type || "image/")) return Promise.resolve(file);
    return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
      var scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.type === "image/jpeg" && file.size < 1500000) return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve(blob ? new File([blob], (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg", {type: "image/jpeg"}) : file);
        }, "image/jpeg", 0.85);
      });
    }, function () { return file; });
  }

  /* When and where a photo was taken, read from the original file (exifr, served by the app) before
     it is made smaller, which drops EXIF: {taken, offset, lat, lon} as JSON, or "" when unknown. */
  function photoFacts(file) {
    if (!window.exifr) return Promise.resolve("");
    // exifr's mini build has no tag names: 36867 is DateTimeOriginal, 36881 OffsetTimeOriginal.
    return exifr.parse(file, {reviveValues: false}).then(function (tags) {
      var facts = {}, taken = tags && (tags.DateTimeOriginal || tags[36867]), zone = tags && (tags.OffsetTimeOriginal || tags[36881]);
      if (typeof taken === "string") facts.taken = taken;
      if (typeof zone === "string") facts.offset = zone;
      if (tags && isFinite(tags.latitude) && isFinite(tags.longitude)) { facts.lat = tags.latitude; facts.lon = tags.longitude; }
      return Object.keys(facts).length ? JSON.stringify(facts) : "";
    }, function () { return ""; });
  }

  function showErrors(form, body) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; el.hidden = true; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var fields = (body && body.fields) || {};
    Object.keys(fields).forEach(function (name) {
      var slot = form.querySelector('[data-error-for="' + name + '"]');
      var input = form.querySelector('[name="' + name + '"]');
      if (input) input.setAttribute("aria-invalid", "true");
      if (slot) { slot.textContent = fields[name]; slot.hidden = false; }
    });
    var summary = form.querySelector(".form-error");
    if (summary) {
      summary.textContent = (body && body.error) || "";
      summary.hidden = !summary.textContent;
      if (!summary.hidden) summary.scrollIntoView({block: "center"});
    }
  }

  /* Metres between two [lon, lat] points (track_filter.js: one formula for the track and the forms). */
  function metres(a, b) { return TrackFilter.metres(a, b); }

  function text(id) {
    var el = document.getElementById(id);
    if (!el) return "";
    return (el.content ? el.content.textContent : el.textContent).trim();
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  return {uuid: uuid, postJSON: postJSON, postForm: postForm, request: request, downscale: downscale, photoFacts: photoFacts,
          showErrors: showErrors, metres: metres, text: text, fill: fill};
})();
