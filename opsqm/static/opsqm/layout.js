/* Page-wide behaviour for every opsqm page (no inline script: loaded from base.html).
 * - tables scroll inside their card; wide ones keep their first column and their project column visible
 * - long texts show a character counter (fields carry data-counter and maxlength)
 * - <select multiple data-multiselect> becomes a searchable picker (Tom Select): a plain click adds,
 *   never wipes the other choices; option data-sub (department · post) is shown beside the name
 * - forms with data-confirm ask before submitting (e.g. a major finding notifies 总经办)
 */
(function () {
  "use strict";

  function wrapTables(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var parent = table.parentElement;
      if (!parent || parent.classList.contains("table-responsive") || table.closest(".ts-wrapper")) return;
      var box = document.createElement("div");
      box.className = "table-responsive";
      parent.insertBefore(box, table);
      box.appendChild(table);
    });
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("table-scroll-sticky", wide);
      stickProjectColumn(box, wide);
    });
  }

  // A project column that is not the first (th.col-project) sticks right after the first one.
  function stickProjectColumn(box, wide) {
    var head = box.querySelector("thead th.col-project");
    if (!head) return;
    var row = head.parentElement;
    var index = Array.prototype.indexOf.call(row.children, head);
    if (index < 1) return;
    var left = wide ? row.children[0].getBoundingClientRect().width : 0;
    box.querySelectorAll("tr").forEach(function (tr) {
      var cell = tr.children.length === row.children.length ? tr.children[index] : null;
      if (!cell) return;
      cell.classList.toggle("sticky-project", wide);
      cell.style.left = wide ? left + "px" : "";
    });
  }

  function counters(root) {
    root.querySelectorAll("[data-counter][maxlength]").forEach(function (field) {
      if (field.dataset.counterReady) return;
      field.dataset.counterReady = "1";
      var max = parseInt(field.getAttribute("maxlength"), 10);
      var out = document.createElement("div");
      out.className = "char-counter";
      out.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", out);
      function update() {
        var n = field.value.length;
        out.textContent = n + " / " + max;
        out.classList.toggle("over", n > max);
      }
      field.addEventListener("input", update);
      update();
    });
  }

  function multiselects(root) {
    if (typeof TomSelect === "undefined") return;
    root.querySelectorAll("select[multiple][data-multiselect]").forEach(function (select) {
      if (select.tomselect) return;
      var subs = {};
      Array.prototype.forEach.call(select.options, function (o) { subs[o.value] = o.dataset.sub || ""; });
      function esc(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }
      new TomSelect(select, {
        plugins: ["remove_button", "checkbox_options"],
        hidePlaceholder: true,
        placeholder: select.dataset.placeholder || "输入姓名、部门或岗位搜索",
        searchField: ["text", "sub"],
        maxOptions: 500,
        onInitialize: function () {
          var self = this;
          Object.keys(self.options).forEach(function (k) { self.options[k].sub = subs[k] || ""; });
        },
        render: {
          option: function (data) {
            return "<div>" + esc(data.text) + (data.sub ? "<span class=\"opt-sub\">" + esc(data.sub) + "</span>" : "") + "</div>";
          },
          no_results: function () { return "<div class=\"no-results\">没有匹配的选项</div>"; },
        },
      });
    });
  }

  function confirms(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmReady) return;
      form.dataset.confirmReady = "1";
      form.addEventListener("submit", function (ev) {
        var when = form.dataset.confirmWhen; // "name=value": ask only when that field has that value
        if (when) {
          var parts = when.split("=");
          var field = form.elements[parts[0]];
          if (!field || field.value !== parts[1]) return;
        }
        if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
      });
    });
  }

  function enhance(root) {
    wrapTables(root);
    counters(root);
    multiselects(root);
    confirms(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { enhance(ev.target); });
  window.addEventListener("resize", function () { wrapTables(document); });
})();
