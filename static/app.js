// Progressive enhancement only: every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // After a failed submit, move focus to the summary so screen-reader users hear what went wrong.
  const summary = document.querySelector('.error-summary');
  if (summary instanceof HTMLElement) summary.focus();
});

// ---- Triage queue and case page (issue 3): keep "còn … / quá hạn …" countdowns current between refreshes. ----
// The server renders the same text (src/triage/countdown.ts); the messages come from the page, in its language.
(() => {
  const MINUTE = 60000;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

  function describe(ms, strings) {
    if (ms >= DAY) return fill(strings.daysHours, { days: Math.floor(ms / DAY), hours: Math.floor((ms % DAY) / HOUR) });
    const minutes = Math.floor(ms / MINUTE);
    if (ms >= HOUR) return fill(strings.hoursMinutes, { hours: Math.floor(ms / HOUR), minutes: minutes % 60 });
    return fill(strings.minutes, { minutes });
  }

  function tick() {
    const source = document.querySelector('[data-countdown-strings]');
    if (!(source instanceof HTMLElement)) return;
    const strings = source.dataset;
    document.querySelectorAll('time[data-countdown]').forEach((element) => {
      const due = Date.parse(element.getAttribute('datetime') || '');
      if (Number.isNaN(due)) return;
      const left = due - Date.now();
      const duration = describe(Math.abs(left), strings);
      element.textContent = fill(left < 0 ? strings.overdue : strings.remaining, { duration });
      const box = element.closest('[data-countdown-box]');
      if (box) box.classList.toggle('is-overdue', left < 0);
    });
  }

  setInterval(tick, 30000);
})();
// ---- end triage queue and case page ----

// ---- Organisation pickers (src/orgs/org-picker.ts): Enter in the search searches, instead of submitting the form. ----
document.addEventListener('keydown', (event) => {
  const input = event.target;
  if (event.key !== 'Enter' || !(input instanceof HTMLInputElement) || !input.matches('[data-org-search]')) return;
  event.preventDefault();
  if (window.htmx) window.htmx.trigger(input, 'org-search');
});
// ---- end organisation pickers ----
