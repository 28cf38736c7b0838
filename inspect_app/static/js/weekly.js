// The weekly list: the print button prints the page (the print stylesheet hides everything but the document).
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
