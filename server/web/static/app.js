// Miaobi studio: live job progress (server-sent events), the poem layout
// switch, and "lock the whole line". Everything else is plain forms.
(function () {
  "use strict";
  function watch(el) {
    var id = el.getAttribute("data-job");
    var state = el.getAttribute("data-state");
    if (state === "done" || state === "failed") return;
    var bar = el.querySelector("progress"), msg = el.querySelector(".msg");
    var es = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/events");
    es.addEventListener("progress", function (e) {
      var j = JSON.parse(e.data);
      bar.value = j.progress || 0;
      msg.textContent = (j.message || "") + " " + Math.round(100 * (j.progress || 0)) + "%";
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
