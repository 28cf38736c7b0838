// Print buttons (the weekly list, Thống kê, the monthly report): the print stylesheet keeps what is printed.
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
