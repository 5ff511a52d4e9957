// Viva's console: mounts GraphiQL (loaded before this file from Viva's own server) with a
// headers editor for the bearer token and a fetcher that sends queries and mutations over HTTP
// and subscriptions over graphql-transport-ws, signing the socket in with the same token.
(function () {
  'use strict';

  // The page's Content-Security-Policy admits one inline <style>, by this per-page nonce: the
  // one GraphiQL's menus add while open (react-remove-scroll-bar reads window.__webpack_nonce__).
  var nonce = document.querySelector('meta[name="viva-style-nonce"]');
  if (nonce) window.__webpack_nonce__ = nonce.getAttribute('content');

  var httpUrl = new URL('/graphql', window.location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws') + '/ws';

  var defaultQuery = [
    '# Viva console. To sign in, run this mutation with your email and password:',
    '#',
    '#   mutation { login(input: { email: "you@example.org", password: "..." }) { accessToken } }',
    '#',
    '# then paste the accessToken into the Headers tab below, after "Bearer ", and run the',
    '# query under these lines. Subscriptions (notifications, interviewEvents) use the same token.',
    '',
    '{',
    '  me {',
    '    email',
    '    fullName',
    '    role',
    '  }',
    '}',
    ''
  ].join('\n');

  var defaultHeaders = JSON.stringify({ Authorization: 'Bearer <paste the accessToken here>' }, null, 2);

  // The Authorization header from the headers editor, if it holds a real token.
  function authorization(headers) {
    if (!headers) return null;
    for (var name in headers) {
      if (name.toLowerCase() === 'authorization' && typeof headers[name] === 'string') {
        var value = headers[name].trim();
        if (/^bearer\s+[^<\s]\S*$/i.test(value)) return value;
      }
    }
    return null;
  }

  // Whether the operation to run is a subscription: the named operation, or the only one.
  function isSubscription(query, operationName) {
    var text = String(query || '').replace(/#[^\n\r]*/g, ' ');
    var pattern = /(^|[}\s])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    var operations = [];
    var match;
    while ((match = pattern.exec(text)) !== null) {
      operations.push({ type: match[2], name: match[3] || null });
    }
    if (operationName) {
      for (var i = 0; i < operations.length; i++) {
        if (operations[i].name === operationName) return operations[i].type === 'subscription';
      }
      return false;
    }
    return operations.length > 0 && operations[0].type === 'subscription';
  }

  function describeClose(event) {
    if (event && typeof event.code === 'number') {
      var reason = event.reason ? ': ' + event.reason : '';
      return { errors: [{ message: 'The subscription socket closed (' + event.code + reason + ')' }] };
    }
    if (event instanceof Error) return { errors: [{ message: event.message }] };
    if (Array.isArray(event)) return { errors: event };
    return { errors: [{ message: String(event) }] };
  }

  function subscribe(params, token) {
    return {
      subscribe: function (observer) {
        var client = graphqlWs.createClient({
          url: wsUrl,
          lazy: true,
          retryAttempts: 0,
          connectionParams: token ? { authorization: token } : {}
        });
        var done = false;
        var dispose = client.subscribe(
          { query: params.query, variables: params.variables || {}, operationName: params.operationName || undefined },
          {
            next: function (value) { if (!done) observer.next(value); },
            error: function (error) {
              if (done) return;
              done = true;
              observer.next(describeClose(error));
              observer.complete();
              client.dispose();
            },
            complete: function () {
              if (done) return;
              done = true;
              observer.complete();
              client.dispose();
            }
          }
        );
        return {
          unsubscribe: function () {
            done = true;
            dispose();
            client.dispose();
          }
        };
      }
    };
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    var token = authorization(headers);
    if (isSubscription(params.query, params.operationName)) {
      return subscribe(params, token);
    }
    var sent = { 'content-type': 'application/json', accept: 'application/json' };
    if (token) sent.authorization = token;
    for (var name in headers) {
      if (name.toLowerCase() !== 'authorization') sent[name] = headers[name];
    }
    return fetch(httpUrl, {
      method: 'POST',
      headers: sent,
      credentials: 'same-origin',
      body: JSON.stringify(params)
    }).then(function (response) {
      return response.json();
    });
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers'
    })
  );
})();
