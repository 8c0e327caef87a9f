// Progressive enhancement of the body map (views/partials/body-map.eta). Without this file the
// list of region checkboxes does everything; with it, the drawing is shown and each region acts as
// a toggle button for its checkbox, and marking a region by tapping asks for its note.
(() => {
  function enhance(map) {
    const figures = map.querySelector('[data-body-map-figures]');
    if (!figures) return;
    // Region ids are [a-z_] only (src/flags/body-map.ts), so they go into selectors as they are.
    const checkboxFor = (id) => map.querySelector(`input[name="body_region"][value="${id}"]`);

    function sync(id) {
      const box = checkboxFor(id);
      if (!box) return;
      figures.querySelectorAll(`[data-region="${id}"]`).forEach((region) => {
        region.setAttribute('aria-pressed', String(box.checked));
        region.classList.toggle('is-marked', box.checked);
      });
      const note = map.querySelector(`[data-note-for="${id}"]`);
      if (note) note.hidden = !box.checked;
    }

    function toggle(region, byPointer) {
      const id = region.getAttribute('data-region');
      const box = id && checkboxFor(id);
      if (!box) return;
      box.checked = !box.checked;
      sync(id);
      if (!box.checked) return;
      const group = box.closest('details');
      if (group) group.open = true;
      // A tap asks for the note at once; keyboard users stay on the drawing and reach the notes after it.
      if (byPointer) map.querySelector(`#note-${id}`)?.focus();
    }

    figures.addEventListener('click', (event) => {
      const region = event.target instanceof Element ? event.target.closest('[data-region]') : null;
      if (region) toggle(region, true);
    });
    figures.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      const region = event.target instanceof Element ? event.target.closest('[data-region]') : null;
      if (!region) return;
      event.preventDefault();
      toggle(region, false);
    });
    map.addEventListener('change', (event) => {
      if (event.target instanceof HTMLInputElement && event.target.name === 'body_region') sync(event.target.value);
    });
    map.querySelectorAll('input[name="body_region"]').forEach((box) => sync(box.value));
    figures.hidden = false;
    map.classList.add('is-enhanced');
  }

  document.addEventListener('DOMContentLoaded', () => document.querySelectorAll('[data-body-map]').forEach(enhance));
})();
