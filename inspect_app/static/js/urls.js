/* The app's URLs as the page gives them (base.html: a JSON block filled from url_for), so that no script
   knows where the app is mounted (e.g. under /kiemtra/ behind a proxy). Loaded on every page. */
"use strict";
var PageUrls = (function () {
  var known = null;

  function all() {
    if (!known) {
      var block = document.getElementById("page-urls");
      known = block ? JSON.parse(block.textContent) : {};
    }
    return known;
  }

  /* The URL named name; {placeholders} in it are replaced by values (URL-encoded). */
  function get(name, values) {
    var url = all()[name];
    if (typeof url !== "string") throw new Error("the page gives no URL named " + name);
    return url.replace(/\{(\w+)\}/g, function (_, key) {
      if (!values || values[key] === undefined || values[key] === null) throw new Error("no " + key + " for the URL " + name);
      return encodeURIComponent(String(values[key]));
    });
  }

  return {get: get};
})();
