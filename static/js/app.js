// parkportal: small behaviours that htmx attributes don't cover. No inline script anywhere (CSP).
document.addEventListener("click", (event) => {
  // Close an open navigation dropdown when clicking elsewhere.
  document.querySelectorAll("details.dropdown[open]").forEach((details) => {
    if (!details.contains(event.target)) details.removeAttribute("open");
  });
});

document.addEventListener("click", (event) => {
  // "Show that day" in the slot picker: put the suggested date into the form's day field, which reloads the slots.
  const button = event.target.closest("[data-set-date]");
  if (!button) return;
  const form = button.closest("form");
  const input = form && form.querySelector("input[name=date]");
  if (!input) return;
  input.value = button.dataset.setDate;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  input.focus();
});

// The booking form: offer only the modes the chosen service allows. The slots fragment brings the allowed
// modes (#mode-hint[data-modes], swapped out of band); the server checks the mode again on submit.
function syncModes() {
  const hint = document.getElementById("mode-hint");
  if (!hint || !hint.dataset.modes) return;
  const allowed = hint.dataset.modes.split(" ");
  const inputs = Array.from(document.querySelectorAll("input[type=radio][name=mode]"));
  inputs.forEach((input) => {
    const ok = allowed.includes(input.value);
    input.disabled = !ok;
    if (!ok) input.checked = false;
    const label = input.closest("label");
    if (label) label.classList.toggle("muted", !ok);
  });
  const open = inputs.filter((input) => !input.disabled);
  if (open.length === 1 && !open[0].checked) open[0].checked = true;
}
document.addEventListener("DOMContentLoaded", syncModes);
document.addEventListener("htmx:afterSettle", syncModes);
