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

// The booking form keeps the lawyer the picker showed under the chosen time ("any lawyer"): the slot's
// data-lawyer-id goes into the hidden slot_lawyer field, which the slots fragment and the booking both read.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!input.matches || !input.matches("input[type=radio][name=start][data-lawyer-id]")) return;
  const form = input.closest("form");
  const keep = form && form.querySelector("input[data-slot-lawyer]");
  if (keep) keep.value = input.dataset.lawyerId;
});

// Submit buttons are disabled while their form's request is in flight (no double bookings by double clicks);
// htmx's hx-disabled-elt on <body> would log an error for every request that isn't a form's.
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest("form");
  if (!form || event.detail.requestConfig.verb === "get") return;
  form.querySelectorAll("button[type=submit]:not([disabled])").forEach((button) => {
    button.disabled = true;
    button.dataset.disabledWhileSending = "";
  });
});
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest("form");
  if (!form) return;
  form.querySelectorAll("button[data-disabled-while-sending]").forEach((button) => {
    button.disabled = false;
    delete button.dataset.disabledWhileSending;
  });
});

// "Print receipt" on a booking page.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// After a failed submit: an error summary at the top of the form linking to each field, and the focus on the
// first invalid field (a phone shows one field at a time: the user must see what to fix).
function summariseErrors(root) {
  const scope = root && root.querySelectorAll ? root : document;
  const errors = Array.from(scope.querySelectorAll("main .field-error")).filter((el) => !el.closest(".slot-message"));
  if (!errors.length) return;
  const form = errors[0].closest("form");
  if (!form || form.querySelector(".error-summary")) return;
  const summary = document.createElement("div");
  summary.className = "error-summary";
  summary.setAttribute("role", "alert");
  summary.tabIndex = -1;
  const heading = document.createElement("h2");
  heading.textContent = document.body.dataset.errorSummary || "";
  const list = document.createElement("ul");
  errors.forEach((error) => {
    const holder = error.closest("fieldset") || error.parentElement;
    let field = null;
    if (error.id && error.id.endsWith("-error")) field = document.getElementById(error.id.slice(0, -6));
    if (!field && holder) field = holder.querySelector("input:not([type=hidden]), select, textarea");
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.textContent = error.textContent;
    if (field && field.id) link.href = "#" + field.id;
    link.addEventListener("click", (click) => {
      if (!field) return;
      click.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
    item.appendChild(link);
    list.appendChild(item);
  });
  summary.append(heading, list);
  form.insertBefore(summary, form.firstElementChild);
  const first = form.querySelector("[aria-invalid=true]") || errors[0].parentElement.querySelector("input:not([type=hidden]), select, textarea");
  if (first) {
    first.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start" });
  }
}
document.addEventListener("DOMContentLoaded", () => summariseErrors(document));
document.addEventListener("htmx:afterSettle", (event) => {
  // Only after a form was submitted (not the slot picker's or a search box's fragments).
  if (event.detail && event.detail.requestConfig && event.detail.requestConfig.verb === "post") summariseErrors(document);
});
