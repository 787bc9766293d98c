// Column mapping step of a ticket import: choosing another preset refills every column
// select with the columns that preset reads from this file, and shows its notes.
(function () {
  var data = document.getElementById("preset-choices");
  var preset = document.getElementById("preset");
  if (!data || !preset) return;
  var choices = JSON.parse(data.textContent);
  preset.addEventListener("change", function () {
    var choice = choices[preset.value];
    if (!choice) return;
    Object.keys(choice.columns).forEach(function (field) {
      var select = document.getElementById("col_" + field);
      if (select) select.value = choice.columns[field];
    });
    var notes = document.getElementById("preset-notes");
    if (notes) notes.textContent = choice.notes;
  });
})();
