// Checklist item editor: rows are a flat list in tree order; a row's block is the row plus its
// descendants (the following rows with a greater depth). Moving swaps blocks of siblings;
// the server derives each item's order from the row sequence.
(function () {
  "use strict";
  var container = document.getElementById("cl-rows");
  var template = document.getElementById("cl-row-template");
  if (!container || !template) return;
  var confirmText = JSON.parse(document.getElementById("cl-confirm-text").textContent);
  var counter = 0;

  function rows() { return Array.prototype.slice.call(container.querySelectorAll(".cl-row")); }
  function depth(row) { return parseInt(row.dataset.depth, 10) || 0; }

  function block(row) {
    var all = rows(), start = all.indexOf(row), result = [row];
    for (var i = start + 1; i < all.length && depth(all[i]) > depth(row); i++) result.push(all[i]);
    return result;
  }

  function setDepth(row, value) {
    row.className = row.className.replace(/cl-depth-\d+/, "cl-depth-" + Math.min(value, 6));
    row.dataset.depth = String(value);
  }

  function previousSibling(row) {
    var all = rows();
    for (var i = all.indexOf(row) - 1; i >= 0; i--) {
      if (depth(all[i]) < depth(row)) return null;
      if (depth(all[i]) === depth(row)) return all[i];
    }
    return null;
  }

  function nextSibling(row) {
    var own = block(row), after = own[own.length - 1].nextElementSibling;
    return after && depth(after) === depth(row) ? after : null;
  }

  function insertBlockBefore(items, reference) {
    items.forEach(function (item) { container.insertBefore(item, reference); });
  }

  function newRow(parentKey, rowDepth) {
    var fragment = template.content.cloneNode(true);
    var row = fragment.querySelector(".cl-row");
    counter += 1;
    var key = "new-" + Date.now().toString(36) + "-" + counter;
    row.dataset.key = key;
    row.dataset.parent = parentKey;
    row.querySelector("input[name=item_key]").value = key;
    row.querySelector("input[name=item_parent]").value = parentKey;
    setDepth(row, rowDepth);
    return row;
  }

  function refreshSectionStyle(row) {
    var select = row.querySelector(".cl-assessable");
    row.classList.toggle("cl-section-row", select && select.value === "0");
  }

  document.getElementById("cl-editor").addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) return;
    var action = button.dataset.action;
    if (action === "add-top") {
      var top = newRow("", 0);
      container.appendChild(top);
      top.querySelector("[name=item_ref_id]").focus();
      return;
    }
    var row = button.closest(".cl-row");
    if (!row) return;
    if (action === "up") {
      var prev = previousSibling(row);
      if (prev) insertBlockBefore(block(row), prev);
    } else if (action === "down") {
      var next = nextSibling(row);
      if (next) insertBlockBefore(block(next), row);
    } else if (action === "child") {
      var own = block(row), last = own[own.length - 1];
      var child = newRow(row.dataset.key, depth(row) + 1);
      container.insertBefore(child, last.nextElementSibling);
      child.querySelector("[name=item_ref_id]").focus();
    } else if (action === "remove") {
      var items = block(row);
      if (items.length > 1 && !window.confirm(confirmText)) return;
      items.forEach(function (item) { item.remove(); });
    }
  });

  container.addEventListener("change", function (event) {
    if (event.target.classList.contains("cl-assessable")) refreshSectionStyle(event.target.closest(".cl-row"));
  });
})();
