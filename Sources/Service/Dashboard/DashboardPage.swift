/// The live dashboard `run` serves at `/`: one HTML document, its style and script inline.
///
/// It reads `/sources` and `/status` every two seconds, the consolidated latest price of the
/// polled symbols and the newest dead letters every ten, and draws records/s and errors/s
/// sparklines from the differences between successive `/sources` counts (the last two minutes).
/// Nothing is fetched from another host and nothing is built: it works offline, and a failed
/// fetch is shown on the page (a banner), never thrown, so the console stays clean.
///
/// The tab title carries the summary (`Tributary — 1 open · 2 stale`), so a pinned tab shows
/// trouble without being looked at.
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Tributary</title>
        <link rel="icon" href="data:,">
        <style>
          :root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
          * { box-sizing: border-box; }
          body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #fff; }
          header { display: flex; flex-wrap: wrap; gap: 24px; align-items: baseline; padding: 12px 20px; background: var(--bg); border-bottom: 1px solid var(--line); }
          header h1 { font-size: 20px; margin: 0; }
          main { padding: 12px 20px; }
          h2 { font-size: 15px; margin: 20px 0 8px; }
          table { border-collapse: collapse; width: 100%; }
          th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; white-space: nowrap; }
          th { font-weight: 600; color: var(--muted); font-size: 12px; }
          td.reason { white-space: normal; max-width: 360px; color: var(--muted); font-size: 12px; }
          .num { text-align: right; font-variant-numeric: tabular-nums; }
          .badge { display: inline-block; min-width: 72px; text-align: center; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
          .ok { background: var(--ok); } .stale, .half-open, .paused { background: var(--warn); } .open, .failing { background: var(--bad); }
          .over { color: var(--bad); font-weight: 600; }
          .meter { display: inline-block; width: 120px; height: 8px; background: var(--line); border-radius: 4px; vertical-align: middle; overflow: hidden; }
          .meter > span { display: block; height: 100%; background: var(--ok); }
          #banner { display: none; padding: 8px 20px; background: #ffebe9; color: var(--bad); border-bottom: 1px solid var(--bad); }
          .muted { color: var(--muted); }
          svg.spark { vertical-align: middle; }
          .cards { display: flex; flex-wrap: wrap; gap: 12px; }
          .card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 180px; }
          .card .price { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
        </style>
        </head>
        <body>
        <header>
          <h1>Tributary</h1>
          <span>ready: <b id="ready">…</b></span>
          <span>up <b id="uptime">…</b></span>
          <span>buffer <span class="meter"><span id="buffer-bar" style="width:0%"></span></span> <b id="buffer">…</b></span>
          <span>store <b id="store">…</b></span>
          <span class="muted">polls <b id="polls">…</b>, records <b id="records">…</b></span>
          <span class="muted">updated <span id="updated">never</span></span>
        </header>
        <div id="banner"></div>
        <main>
          <h2>Sources</h2>
          <table id="sources">
            <thead><tr>
              <th>source</th><th>condition</th><th>reason / next allowed</th><th>records/s</th><th>errors/s</th>
              <th class="num">p50 ms</th><th class="num">p95 ms</th><th class="num">p99 ms</th><th class="num">gaps</th><th class="num">data age</th><th>last success</th>
            </tr></thead>
            <tbody></tbody>
          </table>
          <h2>Latest prices (median of the sources that are not stale)</h2>
          <div class="cards" id="latest"></div>
          <h2>Newest dead letters</h2>
          <table id="dead-letters">
            <thead><tr><th>when</th><th>source</th><th>holds</th><th>reason</th></tr></thead>
            <tbody><tr><td colspan="4" class="muted">none</td></tr></tbody>
          </table>
        </main>
        <script>
        "use strict";
        const WINDOW = 60;           // samples kept per sparkline (every 2 s: two minutes)
        const history = new Map();   // source -> { at, records, failed, rates: [], errors: [] }
        let symbols = [];
        let failures = 0;

        function text(value) { return value === null || value === undefined ? "–" : String(value); }
        function el(tag, attrs, children) {
          const node = document.createElement(tag);
          for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
          for (const child of children || []) node.append(child instanceof Node ? child : document.createTextNode(text(child)));
          return node;
        }
        function ago(iso) {
          if (!iso) return "never";
          const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
          if (seconds < 90) return seconds.toFixed(0) + " s ago";
          if (seconds < 5400) return (seconds / 60).toFixed(0) + " min ago";
          if (seconds < 172800) return (seconds / 3600).toFixed(1) + " h ago";
          return (seconds / 86400).toFixed(0) + " d ago";
        }
        function until(iso) {
          const seconds = Math.max(0, (Date.parse(iso) - Date.now()) / 1000);
          return "next allowed in " + duration(Math.round(seconds));
        }
        function duration(seconds) {
          if (seconds === null || seconds === undefined) return "–";
          if (seconds < 0) return "ahead by " + duration(-seconds);
          if (seconds < 120) return seconds + " s";
          if (seconds < 7200) return Math.round(seconds / 60) + " min";
          if (seconds < 172800) return (seconds / 3600).toFixed(1) + " h";
          return Math.round(seconds / 86400) + " d";
        }
        function spark(values, color) {
          const width = 90, height = 18, max = Math.max(1, ...values);
          const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
          svg.setAttribute("class", "spark"); svg.setAttribute("width", width); svg.setAttribute("height", height);
          const offset = WINDOW - values.length;  // the newest sample at the right edge
          const points = values.map((v, i) => (((offset + i) / Math.max(1, WINDOW - 1)) * width).toFixed(1) + "," + (height - 1 - (v / max) * (height - 2)).toFixed(1));
          const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
          line.setAttribute("points", points.join(" ")); line.setAttribute("fill", "none");
          line.setAttribute("stroke", color); line.setAttribute("stroke-width", "1.5");
          svg.append(line);
          return svg;
        }
        function showProblem(message) {
          const banner = document.getElementById("banner");
          banner.textContent = message;
          banner.style.display = message ? "block" : "none";
        }
        async function json(path) {
          const response = await fetch(path, { cache: "no-store" });
          if (!response.ok) throw new Error(path + " answered " + response.status);
          return response.json();
        }

        function rates(source, now) {
          const seen = history.get(source.source) || { at: now, records: source.records, failed: source.failed_polls, rates: [], errors: [] };
          const seconds = Math.max(0.001, (now - seen.at) / 1000);
          if (now > seen.at) {
            seen.rates.push(Math.max(0, (Number(source.records) - Number(seen.records)) / seconds));
            seen.errors.push(Math.max(0, (Number(source.failed_polls) - Number(seen.failed)) / seconds));
            if (seen.rates.length > WINDOW) { seen.rates.shift(); seen.errors.shift(); }
          }
          seen.at = now; seen.records = source.records; seen.failed = source.failed_polls;
          history.set(source.source, seen);
          return seen;
        }

        function drawSources(list) {
          const now = Date.now();
          const body = document.querySelector("#sources tbody");
          const counts = {};
          const rows = list.map(source => {
            const seen = rates(source, now);
            counts[source.condition] = (counts[source.condition] || 0) + 1;
            const last = values => values.length ? values[values.length - 1] : 0;
            let reason = source.reason || (source.condition === "failing" ? source.last_error : "") || "";
            if (source.next_allowed_at && source.condition !== "ok") reason += (reason ? " — " : "") + until(source.next_allowed_at);
            const p95 = el("td", { class: "num" }, [source.p95_ms]);
            if (source.p95_ms !== null && Number(source.p95_ms) > Number(source.p95_target_ms)) { p95.className = "num over"; p95.title = "over its target of " + source.p95_target_ms + " ms"; }
            return el("tr", { id: "source-" + source.source, "data-condition": source.condition }, [
              el("td", {}, [el("b", {}, [source.source])]),
              el("td", {}, [el("span", { class: "badge " + source.condition }, [source.condition])]),
              el("td", { class: "reason" }, [reason || "–"]),
              el("td", {}, [spark(seen.rates, "#1a7f37"), " " + last(seen.rates).toFixed(1)]),
              el("td", {}, [spark(seen.errors, "#cf222e"), " " + last(seen.errors).toFixed(2)]),
              el("td", { class: "num" }, [source.p50_ms]), p95, el("td", { class: "num" }, [source.p99_ms]),
              el("td", { class: "num" }, [source.gaps]), el("td", { class: "num" }, [duration(source.age_seconds)]),
              el("td", {}, [ago(source.last_success_at)]),
            ]);
          });
          body.replaceChildren(...rows);
          const trouble = Object.entries(counts).filter(([word]) => word !== "ok").map(([word, n]) => n + " " + word);
          document.title = "Tributary — " + (trouble.length ? trouble.join(" · ") : "all ok");
        }

        function drawStatus(status) {
          document.getElementById("ready").textContent = status.ready ? "yes" : "no (" + status.not_ready_reason + ")";
          document.getElementById("ready").style.color = status.ready ? "var(--ok)" : "var(--bad)";
          document.getElementById("uptime").textContent = duration(Math.round((Date.parse(status.now) - Date.parse(status.started_at)) / 1000));
          const depth = Number(status.buffer.depth), capacity = Math.max(1, Number(status.buffer.capacity));
          const bar = document.getElementById("buffer-bar");
          bar.style.width = Math.min(100, (100 * depth) / capacity).toFixed(1) + "%";
          bar.style.background = depth / capacity > 0.9 ? "var(--bad)" : depth / capacity > 0.5 ? "var(--warn)" : "var(--ok)";
          document.getElementById("buffer").textContent = depth + " / " + capacity + (Number(status.buffer.waiting_producers) ? ", " + status.buffer.waiting_producers + " waiting" : "");
          document.getElementById("store").textContent = text(status.store.location);
          document.getElementById("polls").textContent = status.totals.polls + " (" + status.totals.failed_polls + " failed)";
          document.getElementById("records").textContent = status.totals.records;
          symbols = status.symbols;
        }

        async function drawLatest() {
          const cards = [];
          for (const symbol of symbols.slice(0, 6)) {
            try {
              const view = await json("/records/latest?symbol=" + encodeURIComponent(symbol));
              const c = view.consolidated;
              cards.push(el("div", { class: "card", id: "latest-" + symbol }, [
                el("div", { class: "muted" }, [symbol]), el("div", { class: "price" }, [c.median]),
                el("div", { class: "muted" }, ["spread " + text(c.spread) + ", " + c.voting + " of " + c.sources + " sources" +
                  (c.stale.length ? ", stale: " + c.stale.join(", ") : "") + (c.outliers.length ? ", outliers: " + c.outliers.join(", ") : "")]),
              ]));
            } catch (error) {
              cards.push(el("div", { class: "card muted" }, [symbol + ": " + error.message]));
            }
          }
          document.getElementById("latest").replaceChildren(...cards);
        }

        async function drawDeadLetters() {
          const letters = await json("/dead-letters?limit=10");
          const body = document.querySelector("#dead-letters tbody");
          if (!letters.length) { body.replaceChildren(el("tr", {}, [el("td", { colspan: "4", class: "muted" }, ["none"])])); return; }
          body.replaceChildren(...letters.map(letter => el("tr", {}, [
            el("td", {}, [ago(letter.created_at)]), el("td", {}, [letter.source]), el("td", {}, [letter.holds]),
            el("td", { class: "reason" }, [letter.reason]),
          ])));
        }

        async function refresh() {
          try {
            const [sources, status] = await Promise.all([json("/sources"), json("/status")]);
            drawSources(sources);
            drawStatus(status);
            failures = 0;
            showProblem("");
            document.getElementById("updated").textContent = new Date().toLocaleTimeString();
          } catch (error) {
            failures += 1;
            showProblem("Tributary does not answer (" + error.message + "); retrying every 2 s.");
            document.title = "Tributary — not answering";
          }
        }
        async function refreshSlow() {
          try { await Promise.all([drawLatest(), drawDeadLetters()]); } catch (error) { /* the fast refresh shows the banner */ }
        }

        refresh().then(refreshSlow);
        setInterval(refresh, 2000);
        setInterval(refreshSlow, 10000);
        </script>
        </body>
        </html>
        """#
}
