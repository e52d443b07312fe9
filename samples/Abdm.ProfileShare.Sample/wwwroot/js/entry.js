// The registration page: keeps the linking-token box current while the operator types, from the counter's
// server-sent events (only changes of this entry refresh it; the form itself is never touched).
(() => {
    "use strict";
    const box = document.getElementById("linking-box");
    if (!box) return;
    let busy = false;
    let again = false;
    let stopped = false;

    // A change that arrives while a refresh is in flight refreshes once more afterwards: the fetch in flight may have
    // read the entry before that change (dropping it left the box showing a state the entry had already left).
    async function refresh() {
        if (stopped) return;
        if (busy) { again = true; return; }
        busy = true;
        try {
            const response = await fetch(box.dataset.refreshUrl, { cache: "no-store", headers: { "Accept": "text/html" } });
            if (response.ok) {
                const html = await response.text();
                if (box.innerHTML.trim() !== html.trim()) box.innerHTML = html;
            }
        } catch {
            // The next event refreshes again.
        } finally {
            busy = false;
            if (again) { again = false; refresh(); }
        }
    }

    const events = new EventSource(box.dataset.eventsUrl);
    events.addEventListener("ready", refresh);
    events.addEventListener("change", event => {
        if (event.data.split(" ")[1] === box.dataset.entryId) refresh();
    });
    window.addEventListener("pagehide", () => events.close());
    // Once a form is submitted this page is done: no more background requests.
    document.addEventListener("submit", () => { stopped = true; events.close(); });
})();
