document.querySelector('h1').title = 'served at ' + new Date().toISOString();
