// The counter screen: keeps the list live from the server-sent events at data-events-url (one event per change of
// this counter's queue) by fetching the server-rendered list again; plays a patient's phone in simulator mode.
(() => {
    "use strict";
    const queue = document.getElementById("queue");
    if (!queue) return;
    const announcer = document.getElementById("announcer");
    const live = document.getElementById("live-status");
    let busy = false;
    let again = false;
    let expiryTimer = 0;

    const entries = () => new Map([...queue.querySelectorAll("[data-entry-id]")].map(e => [e.dataset.entryId, e]));

    async function refresh() {
        if (busy) { again = true; return; }
        busy = true;
        try {
            do {
                again = false;
                const before = entries();
                const response = await fetch(queue.dataset.refreshUrl, { cache: "no-store", headers: { "Accept": "text/html" } });
                if (!response.ok) break;
                const html = await response.text();
                const focused = queue.contains(document.activeElement) ? document.activeElement.id : "";
                queue.innerHTML = html;
                if (focused) document.getElementById(focused)?.focus();
                announce(before);
                scheduleExpiry();
            } while (again);
        } catch {
            // The next event (or reconnect) refreshes again.
        } finally {
            busy = false;
        }
    }

    function announce(before) {
        const added = [...entries().values()].filter(e => !before.has(e.dataset.entryId));
        if (added.length > 0) {
            announcer.textContent = added.map(e => `New scan: token ${e.dataset.token}, ${e.dataset.name}.`).join(" ");
        }
    }

    // Entries leave the queue when they expire, without an event: refresh when the first one does.
    function scheduleExpiry() {
        clearTimeout(expiryTimer);
        const times = [...queue.querySelectorAll("[data-expires-at]")].map(e => Date.parse(e.dataset.expiresAt)).filter(t => !Number.isNaN(t));
        if (times.length === 0) return;
        const delay = Math.min(Math.max(Math.min(...times) - Date.now(), 0) + 1000, 2147483000);
        expiryTimer = setTimeout(refresh, delay);
    }

    function setLive(state, text) {
        if (!live) return;
        live.dataset.state = state;
        live.textContent = text;
    }

    const events = new EventSource(queue.dataset.eventsUrl);
    events.addEventListener("ready", () => { setLive("live", "Live"); refresh(); });
    events.addEventListener("change", refresh);
    events.addEventListener("error", () => setLive("reconnecting", "Reconnecting…"));
    window.addEventListener("pagehide", () => events.close());
    scheduleExpiry();

    // Simulator mode: "Scan and share" plays the patient's phone and shows what it would show.
    const form = document.getElementById("simulate-form");
    const phone = document.getElementById("phone");
    if (form && phone) {
        form.addEventListener("submit", async event => {
            event.preventDefault();
            const button = form.querySelector("button[type=submit]");
            button.disabled = true;
            phone.replaceChildren(line("phone-idle", "Sharing the profile…"));
            try {
                const body = new FormData(form);
                const token = document.querySelector("input[name=__RequestVerificationToken]");
                if (token && !body.has(token.name)) body.append(token.name, token.value);
                const response = await fetch(form.action, { method: "POST", body, headers: { "Accept": "application/json" } });
                if (!response.ok) throw new Error(`HTTP ${response.status}`);
                const result = await response.json();
                const success = result.status === "SUCCESS";
                const children = [
                    line("phone-patient", `${result.patientName}'s phone (${result.version}):`),
                    line(`phone-status ${success ? "success" : "failure"}`, result.status),
                ];
                if (result.tokenNumber) children.push(line("phone-token", `Token ${result.tokenNumber}`));
                if (result.message) children.push(line("phone-message", result.message));
                phone.replaceChildren(...children);
            } catch (error) {
                phone.replaceChildren(line("phone-status failure", "The scan could not be simulated."), line("phone-message", String(error.message)));
            } finally {
                button.disabled = false;
            }
        });
    }

    function line(className, text) {
        const p = document.createElement("p");
        p.className = className;
        p.textContent = text;
        return p;
    }
})();
