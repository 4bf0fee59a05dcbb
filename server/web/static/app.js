// Miaobi studio: live job progress (server-sent events), the poem layout
// switch, and "lock the whole line". Everything else is plain forms.
(function () {
  "use strict";
  // localize translates a job message with the page's patterns (# a
  // number, * the rest), as the server does for stored notes.
  function localize(notes, msg) {
    for (var i = 0; i < notes.length; i++) {
      var src = notes[i][0].replace(/[.()?+^$|[\]{}\\]/g, "\\$&")
        .replace(/#/g, "([0-9]+(?:×[0-9]+)?)").replace(/\*/g, "(.+)");
      var m = new RegExp("^" + src + "$").exec(msg);
      if (m) {
        var k = 1;
        return notes[i][1].replace(/[#*]/g, function () { return m[k++] || ""; });
      }
    }
    return msg;
  }
  function watch(el) {
    var id = el.getAttribute("data-job");
    var state = el.getAttribute("data-state");
    if (state === "done" || state === "failed") return;
    var bar = el.querySelector("progress"), msg = el.querySelector(".msg");
    var notes = [];
    try { notes = JSON.parse(el.getAttribute("data-notes") || "[]") || []; } catch (e) {}
    var es = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/events");
    es.addEventListener("progress", function (e) {
      var j = JSON.parse(e.data);
      bar.value = j.progress || 0;
      msg.textContent = localize(notes, j.message || "") + " " + Math.round(100 * (j.progress || 0)) + "%";
    });
    es.addEventListener("done", function (e) {
      es.close();
      var j = JSON.parse(e.data);
      bar.value = 1;
      if (j.state === "failed") { msg.textContent = "✗ " + (j.error || ""); el.setAttribute("data-state", "failed"); return; }
      el.setAttribute("data-state", "done");
      var u = new URL(window.location.href);
      u.searchParams.delete("job");
      window.location.replace(u.toString());
    });
    es.onerror = function () { /* the browser reconnects by itself */ };
  }
  function layout(name) {
    var v = document.getElementById("poem-view");
    if (!v) return;
    v.classList.remove("vertical", "horizontal");
    v.classList.add(name);
    document.querySelectorAll("[data-layout]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-layout") === name ? "true" : "false");
    });
    try { localStorage.setItem("miaobi-layout", name); } catch (e) {}
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job]").forEach(watch);
    document.querySelectorAll("[data-layout]").forEach(function (b) {
      b.addEventListener("click", function () { layout(b.getAttribute("data-layout")); });
    });
    try { var l = localStorage.getItem("miaobi-layout"); if (l) layout(l); } catch (e) {}
    document.querySelectorAll(".lock-line").forEach(function (box) {
      var n = box.getAttribute("data-line");
      var chars = document.querySelectorAll('input[name="lock-' + n + '"]');
      box.checked = chars.length > 0 && Array.prototype.every.call(chars, function (c) { return c.checked; });
      box.addEventListener("change", function () {
        chars.forEach(function (c) { c.checked = box.checked; });
      });
    });
  });
})();
