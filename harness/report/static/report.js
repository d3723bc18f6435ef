// Open or close every cell of the matrix at once (the button above the table).
function toggleAll() {
  var cells = document.querySelectorAll('#matrix details');
  var open = Array.prototype.some.call(cells, function (d) { return !d.open; });
  cells.forEach(function (d) { d.open = open; });
  document.querySelector('button.toggle').textContent = open ? 'close all cells' : 'open all cells';
}
var toggle = document.querySelector('button.toggle');
if (toggle) { toggle.addEventListener('click', toggleAll); }
