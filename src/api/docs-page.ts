// The API reference page at /docs: Redoc (from its npm package, served by hookd itself) rendering
// /openapi.json in hookd's colours. No inline script and nothing from another origin: the page
// works on a machine without internet access and under a strict Content-Security-Policy.

/** hookd's mark, the same as the dashboard's icon. */
export const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4f46e5"/>' +
  '<path d="M10 8v16M22 8v16M10 16h12" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/></svg>';

const SYSTEM_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const MONO_FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";

/** Redoc's options: the dashboard's accent colour and system fonts (Redoc's own would be fetched). */
const REDOC_OPTIONS = {
  expandResponses: '200,201,202',
  jsonSampleExpandLevel: 3,
  hideHostname: true,
  sortTagsAlphabetically: false,
  theme: {
    colors: { primary: { main: '#4f46e5' } },
    typography: {
      fontFamily: SYSTEM_FONT,
      headings: { fontFamily: SYSTEM_FONT, fontWeight: '600' },
      code: { fontFamily: MONO_FONT },
    },
    sidebar: { backgroundColor: '#f6f7f9' },
    rightPanel: { backgroundColor: '#161b26' },
  },
};

/** Starts Redoc once its bundle has loaded: a file of its own, since the page allows no inline script. */
export const INIT_SCRIPT = `Redoc.init('/openapi.json', ${JSON.stringify(REDOC_OPTIONS)}, document.getElementById('reference'));\n`;

export const STYLESHEET = `
body { margin: 0; }
.hookd-bar {
  display: flex; align-items: center; gap: 10px; height: 48px; padding: 0 20px;
  font: 600 15px ${SYSTEM_FONT}; color: #161b26; background: #fff; border-bottom: 1px solid #dfe3e9;
}
.hookd-bar img { width: 24px; height: 24px; }
.hookd-bar .title { font-weight: 400; color: #566070; }
.hookd-bar nav { margin-left: auto; display: flex; gap: 16px; font-weight: 400; font-size: 14px; }
.hookd-bar a { color: #4f46e5; text-decoration: none; }
.hookd-bar a:hover { text-decoration: underline; }
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hookd API reference</title>
<link rel="icon" type="image/svg+xml" href="/docs/hookd.svg">
<link rel="stylesheet" href="/docs/docs.css">
</head>
<body>
<header class="hookd-bar">
<img src="/docs/hookd.svg" alt="">
<span>hookd</span><span class="title">API reference</span>
<nav><a href="/openapi.json" download="hookd-openapi.json">openapi.json</a><a href="/">Dashboard</a></nav>
</header>
<div id="reference"></div>
<script src="/docs/redoc.standalone.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
