// 检查结果: "全部保存" submits every row changed since it was last saved (each row keeps its own version).
(function () {
  "use strict";
  function dirtyForms() {
    return Array.prototype.filter.call(document.querySelectorAll("form.result-form"), function (f) { return f.dataset.dirty === "1"; });
  }
  function refresh() {
    var n = dirtyForms().length;
    document.querySelectorAll("[data-save-all]").forEach(function (btn) {
      btn.disabled = n === 0;
      var count = btn.querySelector(".dirty-count");
      if (count) count.textContent = n ? "（" + n + "）" : "";
    });
  }
  function mark(ev) {
    var form = ev.target.closest && ev.target.closest("form.result-form");
    if (form) { form.dataset.dirty = "1"; refresh(); }
  }
  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
  document.addEventListener("htmx:afterSwap", refresh);
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-save-all]");
    if (!btn || typeof htmx === "undefined") return;
    dirtyForms().forEach(function (form) { htmx.trigger(form, "submit"); });
  });
  window.addEventListener("beforeunload", function (ev) {
    if (dirtyForms().length) { ev.preventDefault(); ev.returnValue = ""; }
  });
  document.addEventListener("DOMContentLoaded", refresh);
})();
