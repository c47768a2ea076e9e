// The print button (an inline onclick would be refused by the Content-Security-Policy).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});
