/* An empty service worker: registering it tells whether this browser may run the app's offline worker
   here (a secure page whose certificate the phone trusts). It caches nothing and handles no request. */
"use strict";
self.addEventListener("install", function () { self.skipWaiting(); });
