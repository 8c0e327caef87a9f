// Progressive enhancement for the printable forms: the print button appears only when it can work.
// Without JavaScript the browser's own Print command prints the same page.
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-print]').forEach((button) => {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  });
});
