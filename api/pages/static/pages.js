/* 一窗 pages: a little plain JS. Everything works without it except the live checklist and the box overlay. */
(function () {
  "use strict";

  function filterSituations() {
    var item = document.getElementById("item"), situation = document.getElementById("situation");
    if (!item || !situation) { return; }
    var first = null;
    Array.prototype.forEach.call(situation.querySelectorAll("optgroup"), function (group) {
      var on = group.getAttribute("data-item") === item.value;
      group.hidden = !on; group.disabled = !on;
      if (on && !first) { first = group.querySelector("option"); }
    });
    var chosen = situation.selectedOptions[0];
    if (!chosen || chosen.parentNode.disabled) { if (first) { situation.value = first.value; } }
  }

  function placeBoxes(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-boxes]"), function (wrap) {
      var img = wrap.querySelector("img");
      function place() {
        if (!img.naturalWidth) { return; }
        Array.prototype.forEach.call(wrap.querySelectorAll(".box"), function (box) {
          var b = box.getAttribute("data-box").split(",").map(Number);
          box.style.left = (100 * b[0] / img.naturalWidth) + "%";
          box.style.top = (100 * b[1] / img.naturalHeight) + "%";
          box.style.width = (100 * (b[2] - b[0]) / img.naturalWidth) + "%";
          box.style.height = (100 * (b[3] - b[1]) / img.naturalHeight) + "%";
        });
      }
      if (img.complete) { place(); } else { img.addEventListener("load", place); }
    });
  }

  function busy(root) {
    var active = document.activeElement;
    if (active && root.contains(active) && /INPUT|TEXTAREA|SELECT/.test(active.tagName)) { return true; }
    if (root.querySelector("input[name=documents]:checked")) { return true; }  // shots picked to join: keep them
    return Array.prototype.some.call(root.querySelectorAll("input[data-original]"), function (i) {
      return i.value !== i.getAttribute("data-original");
    });
  }

  function poll(root) {
    var url = root.getAttribute("data-poll");
    function tick() {
      var inner = root.querySelector("[data-sig]");
      if (busy(root)) { return setTimeout(tick, 1500); }
      fetch(url + "?since=" + encodeURIComponent(inner ? inner.getAttribute("data-sig") : ""), {credentials: "same-origin"})
        .then(function (r) {
          if (r.status === 200) { return r.text().then(function (html) { if (!busy(root)) { root.innerHTML = html; wire(root); } }); }
          if (r.status === 401 || r.status === 303) { window.location.reload(); }
        })
        .catch(function () { /* the network blinked: try again on the next tick */ })
        .then(function () { setTimeout(tick, 1500); });
    }
    setTimeout(tick, 1500);
  }

  function wire(root) {
    placeBoxes(root);
    Array.prototype.forEach.call(root.querySelectorAll("input[data-original]"), function (input) {
      var save = input.parentNode.querySelector("button.save"), key = input.form && input.form.getAttribute("data-field");
      input.addEventListener("input", function () { if (save) { save.hidden = input.value === input.getAttribute("data-original"); } });
      input.addEventListener("focus", function () { toggle(key, true); });
      input.addEventListener("blur", function () { toggle(key, false); });
    });
  }

  function toggle(key, on) {
    if (!key) { return; }
    Array.prototype.forEach.call(document.querySelectorAll('.box[data-field="' + key + '"]'), function (b) { b.classList.toggle("on", on); });
  }

  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); button.textContent = "正在处理…"; }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var item = document.getElementById("item");
    if (item) { item.addEventListener("change", filterSituations); filterSituations(); }
    wire(document);
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), poll);
  });
}());
