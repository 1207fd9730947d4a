import { createHash } from 'node:crypto'

/** The landing page's only style sheet, inline; its hash is what the page's CSP allows. */
export const LANDING_CSS = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #fff; --head: #f3f5f9;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --accent: #0b5fff; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa3b5; --line: #363d4a; --bg: #14171c;
  --head: #1d2129; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #6ea8ff; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 76rem; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
a { color: var(--accent); }
nav ul { list-style: none; padding: 0; margin: 1rem 0; display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; }
.meta, .muted, small { color: var(--muted); }
.banner { padding: .6rem .9rem; border-radius: 6px; border: 1px solid var(--line); font-weight: 600; }
.banner.ok { border-color: var(--ok); color: var(--ok); }
.banner.bad { border-color: var(--warn); color: var(--warn); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--head); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .88em; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
  border: 1px solid currentColor; }
.good { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); } .other { color: var(--muted); }
meter { width: 4.5rem; vertical-align: middle; }
.error { color: var(--bad); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dt { color: var(--muted); }
footer { margin-top: 2.5rem; font-size: .85rem; color: var(--muted); }
`

export const LANDING_CSS_HASH = `sha256-${createHash('sha256').update(LANDING_CSS).digest('base64')}`

/** No script, no remote source of any kind; only the inline style sheet above. */
export const LANDING_CSP = [
  "default-src 'none'",
  `style-src '${LANDING_CSS_HASH}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')
