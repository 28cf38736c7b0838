/* The map page's numbers (open cases per stage, new, overdue, waiting, closed; open cases per route and
   khu vực), asked for once the map has drawn its cases or said it could not (map.js: map:drawn,
   map:failed), so that the chairman's cases come first; 10 seconds at the latest. A card names its number
   as the JSON does (data-stage: per_stage's key, data-stat: the others). Names are put in as text. */
"use strict";
(function () {
  var section = document.getElementById("overview"), mapBox = document.getElementById("ward-map");
  if (!section || !mapBox) return;
  var started = false;

  function grouped(n) {
    return InspectMap.number(n, section.dataset.separator);
  }

  function fill(numbers) {
    section.querySelectorAll(".stat").forEach(function (card) {
      var value = card.dataset.stage ? numbers.per_stage[card.dataset.stage] : numbers[card.dataset.stat];
      card.querySelector(".num").textContent = grouped(value || 0);
    });
    document.querySelectorAll("#open-per-place [data-list]").forEach(function (list) {
      var rows = numbers[list.dataset.list] || [];
      list.textContent = rows.length ? rows.map(function (row) { return row[0] + " " + grouped(row[1]); }).join(" · ") : "–";
    });
    section.removeAttribute("aria-busy");
    performance.mark("overview-shown");
  }

  function failed() {
    section.querySelectorAll(".num").forEach(function (n) { n.textContent = "–"; });
    document.querySelectorAll("#open-per-place [data-list]").forEach(function (list) { list.textContent = "–"; });
    var note = document.createElement("p");
    note.className = "flash flash-error";
    note.setAttribute("role", "alert");
    note.textContent = section.dataset.failed;
    section.after(note);
    section.removeAttribute("aria-busy");
  }

  function start() {
    if (started) return;
    started = true;
    fetch(section.dataset.url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error("the numbers answered " + r.status);
      return r.json();
    }).then(fill).catch(failed);
  }

  if (mapBox.dataset.drawn || mapBox.dataset.loadFailed) start();
  mapBox.addEventListener("map:drawn", start);
  mapBox.addEventListener("map:failed", start);
  setTimeout(start, 10000);
})();
