// The QR page's print button.
document.getElementById("print-button")?.addEventListener("click", () => window.print());
