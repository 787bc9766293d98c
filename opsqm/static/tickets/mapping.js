// Column mapping step of a ticket import: choosing another preset refills every column
// field with the columns that preset reads from this file, and shows its notes. The
// preset data names columns by position in the page's one list of headers.
(function () {
  var data = document.getElementById("preset-choices");
  var preset = document.getElementById("preset");
  var list = document.getElementById("file-headers");
  if (!data || !preset || !list) return;
  var choices = JSON.parse(data.textContent);
  var headers = Array.prototype.map.call(list.options, function (o) { return o.value; });
  preset.addEventListener("change", function () {
    var choice = choices[preset.value];
    if (!choice) return;
    document.querySelectorAll("input[id^='col_']").forEach(function (input) {
      var field = input.id.slice(4);
      var index = choice.columns[field];
      input.value = index === undefined ? "" : headers[index];
    });
    var notes = document.getElementById("preset-notes");
    if (notes) notes.textContent = choice.notes;
  });
})();
