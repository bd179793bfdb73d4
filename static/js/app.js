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
