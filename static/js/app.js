// parkportal: small behaviours that htmx attributes don't cover. No inline script anywhere (CSP).
document.addEventListener("click", (event) => {
  // Close an open navigation dropdown when clicking elsewhere.
  document.querySelectorAll("details.dropdown[open]").forEach((details) => {
    if (!details.contains(event.target)) details.removeAttribute("open");
  });
});
