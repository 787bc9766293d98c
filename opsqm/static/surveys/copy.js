// Copy an invitation link for WeChat / SMS.
document.addEventListener("click", function (event) {
  const button = event.target.closest(".copy-link");
  if (!button) return;
  const input = button.parentElement.querySelector(".invite-link");
  input.select();
  const done = function () { button.textContent = "已复制"; };
  if (navigator.clipboard) { navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); }); }
  else { document.execCommand("copy"); done(); }
});
