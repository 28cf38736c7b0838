// ESLint for the browser code (inspect_app/static/js) and its Node tests (tests/js): `make lint-js`.
// ESLint itself lives in tools/js (its own package.json and lock), so that linters never reach
// vendor/node_modules, which the app serves, and a production install never downloads them.
"use strict";
const {createRequire} = require("node:module");
const path = require("node:path");

const fromTools = createRequire(path.join(__dirname, "tools", "js", "package.json"));
const js = fromTools("@eslint/js");
const globals = fromTools("globals");

module.exports = [
  {ignores: ["**/node_modules/**", "test-artifacts/**"]},
  {
    files: ["inspect_app/static/js/**/*.js"],
    ...js.configs.recommended,
  },
  {
    // Plain scripts for the browser (no bundler): "use strict", IIFEs, globals shared between files.
    files: ["inspect_app/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2017,
      sourceType: "script",
      globals: {
        // Defined by one script and read by the next (base.html loads them in order), or by a library.
        L: "readonly", exifr: "readonly", GridClusters: "readonly", Field: "readonly", Outbox: "readonly", Tracker: "readonly",
        OutboxQueue: "readonly", TrackFilter: "readonly", PageUrls: "readonly", InspectMap: "readonly",
        InspectMapLayer: "readonly",  // the map page's head (templates/map/index.html)
        module: "readonly",  // the pure modules export themselves to Node's tests when `module` exists
      },
    },
    rules: {
      "no-unused-vars": ["error", {args: "none", caughtErrors: "none", vars: "local"}],
      "no-var": "off",
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "off",
      strict: ["error", "global"],
      // Each script defines one global the next ones read (Field, Outbox, Tracker…): declared above.
      "no-redeclare": ["error", {builtinGlobals: false}],
    },
  },
  {
    // Pages' scripts: the window's globals. The service workers (below) have a worker's globals only.
    files: ["inspect_app/static/js/**/*.js"],
    ignores: ["inspect_app/static/js/sw.js", "inspect_app/static/js/sw-check.js"],
    languageOptions: {globals: {...globals.browser}},
  },
  {
    files: ["inspect_app/static/js/sw.js", "inspect_app/static/js/sw-check.js"],
    languageOptions: {globals: {...globals.serviceworker}},
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    ...js.configs.recommended,
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "commonjs", globals: {...globals.node}},
    rules: {eqeqeq: ["error", "always"]},
  },
];
