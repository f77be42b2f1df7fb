// Shows how the stylesheet was served: the response headers fastsrv sends
// for it. Started with an empty compression store, fastsrv serves it as
// quick brotli first, then swaps in best-quality brotli (a new ETag).
const SHOWN = ['content-encoding', 'content-length', 'etag', 'last-modified', 'cache-control', 'vary'];

async function showHeaders() {
  const table = document.querySelector('table.headers');
  if (table === null) return;
  // HEAD sends the same headers as GET, without the body.
  const response = await fetch('/css/site.css', { method: 'HEAD', cache: 'no-store' });
  for (const name of SHOWN) {
    const row = table.insertRow();
    const label = document.createElement('th');
    label.textContent = name;
    row.appendChild(label);
    row.insertCell().textContent = response.headers.get(name) ?? '(none)';
  }
}

document.querySelector('h1').title = 'served at ' + new Date().toISOString();
showHeaders().catch((error) => {
  document.querySelector('footer').textContent = 'could not read the headers: ' + error;
});
