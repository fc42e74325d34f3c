/* lks: ask before a step that cannot be undone (approve, cancel). A button names its question
   in data-bevestig; served by the application (CSP: no inline script). Without JavaScript the
   form is sent as it is: the server decides either way. */
document.addEventListener("submit", function (gebeurtenis) {
  var knop = gebeurtenis.submitter;
  var vraag = knop && knop.getAttribute("data-bevestig");
  if (vraag && !window.confirm(vraag)) {
    gebeurtenis.preventDefault();
  }
});
