import type { DemoUser } from './users.js'

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const STYLE = `
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222 }
  h1 { font-size: 1.5rem } h2 { font-size: 1.1rem; margin-top: 2rem }
  table { border-collapse: collapse; width: 100% } td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top }
  code, pre, textarea { font: 13px/1.4 ui-monospace, monospace } pre { white-space: pre-wrap; word-break: break-all; margin: 0 }
  .ok { color: #17692b } .denied { color: #a11 } button { font: inherit; padding: .2rem .7rem; margin: .1rem }
  textarea { width: 100%; height: 5rem } #logout-form { display: inline } [hidden] { display: none !important }
`

/**
 * The login page: one button per demo user.
 *
 * @example
 * res.end(loginPage(Object.values(DEMO_USERS)))
 */
export function loginPage(users: readonly DemoUser[], error?: string): string {
  const buttons = users
    .map(
      (user) =>
        `<button name="user" value="${html(user.subject)}" data-user="${html(user.subject)}">Log in as ${html(user.name)}</button>
        <small>scopes: ${html(user.scopes.join(' ') || 'none')}; roles: ${html(user.roles.join(' ') || 'none')}</small><br>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portcullis demo: log in</title><style>${STYLE}</style></head>
<body>
<h1>Portcullis demo: log in</h1>
${error ? `<p class="denied" id="error">${html(error)}</p>` : ''}
<p>Demo accounts, no passwords. Logging in issues a session: an access cookie and a refresh cookie, both HttpOnly.</p>
<form method="post" action="/login">${buttons}</form>
<p><a href="/">Continue without logging in</a></p>
</body></html>`
}

/** One call the app page makes: its API, a label, and how to make it. */
interface Call {
  readonly id: string
  readonly api: 'tRPC' | 'GraphQL'
  readonly label: string
  readonly guard: string
}

const CALLS: readonly Call[] = [
  { id: 'trpc:hello', api: 'tRPC', label: 'hello (query)', guard: 'public' },
  { id: 'trpc:me', api: 'tRPC', label: 'me (query)', guard: 'authenticated' },
  { id: 'trpc:reports.list', api: 'tRPC', label: 'reports.list (query)', guard: 'scope read:reports' },
  {
    id: 'trpc:reports.create',
    api: 'tRPC',
    label: 'reports.create (mutation)',
    guard: 'scope write:reports',
  },
  { id: 'trpc:admin.stats', api: 'tRPC', label: 'admin.stats (query)', guard: 'role admin' },
  { id: 'graphql:hello', api: 'GraphQL', label: '{ hello }', guard: 'public' },
  { id: 'graphql:me', api: 'GraphQL', label: '{ me { subject } }', guard: '@auth' },
  {
    id: 'graphql:reports',
    api: 'GraphQL',
    label: '{ reports { id title } }',
    guard: '@auth(scopes: ["read:reports"])',
  },
  {
    id: 'graphql:createReport',
    api: 'GraphQL',
    label: 'mutation { createReport }',
    guard: '@auth(scopes: ["write:reports"])',
  },
  {
    id: 'graphql:adminStats',
    api: 'GraphQL',
    label: '{ adminStats { users } }',
    guard: '@auth(roles: ["admin"])',
  },
]

/**
 * The app page: calls both APIs with the cookie session as it loads and shows every answer, 401 and 403 included.
 *
 * @example
 * res.end(appPage())
 */
export function appPage(): string {
  const rows = CALLS.map(
    (call) => `<tr><td>${call.api}</td><td><code>${html(call.label)}</code></td><td>${html(call.guard)}</td>
      <td><button data-call="${call.id}">call</button></td><td class="result" data-result="${call.id}"></td></tr>`,
  ).join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portcullis demo</title><style>${STYLE}</style></head>
<body>
<h1>Portcullis demo</h1>
<p id="who">Checking the session...</p>
<form method="post" action="/logout" id="logout-form" hidden><button id="logout">Log out</button></form>
<a href="/login" id="login">Log in</a> · <a href="/graphql">GraphiQL</a>

<h2>Both APIs, with the cookie session</h2>
<p>The page called everything when it loaded; <button id="call-all">Call everything</button> again. The session cookies go with every request; the browser's JavaScript cannot read them.</p>
<table><thead><tr><th>API</th><th>call</th><th>guard</th><th></th><th>answer</th></tr></thead>
<tbody>${rows}</tbody></table>

<h2>A bearer token for curl</h2>
<p>Mints a 5-minute access token from the demo's dev issuer for the logged-in user. The API finds the issuer's keys
by OIDC discovery (<a href="/.well-known/openid-configuration">/.well-known/openid-configuration</a>).</p>
<button id="mint">Mint a token</button>
<div id="token-panel" hidden>
  <p>Token:</p><textarea id="token" readonly></textarea>
  <p>Try it:</p><pre id="curl"></pre>
</div>

<script type="module">
const calls = {
  'trpc:hello': () => trpc('hello'),
  'trpc:me': () => trpc('me'),
  'trpc:reports.list': () => trpc('reports.list'),
  'trpc:reports.create': () => trpc('reports.create', { title: 'Q4 forecast' }),
  'trpc:admin.stats': () => trpc('admin.stats'),
  'graphql:hello': () => graphql('{ hello }'),
  'graphql:me': () => graphql('{ me { subject scopes roles } }'),
  'graphql:reports': () => graphql('{ reports { id title } }'),
  'graphql:createReport': () => graphql('mutation { createReport(title: "Q4 forecast") { id title } }'),
  'graphql:adminStats': () => graphql('{ adminStats { users sessions } }'),
}

async function trpc(path, input) {
  const response = input === undefined
    ? await fetch('/trpc/' + path)
    : await fetch('/trpc/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })
  const body = await response.json()
  return { status: response.status, answer: 'error' in body ? body.error : body.result.data }
}

async function graphql(query) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query }),
  })
  return { status: response.status, answer: await response.json() }
}

async function run(id) {
  const cell = document.querySelector('[data-result="' + id + '"]')
  cell.textContent = '...'
  cell.removeAttribute('data-status')
  try {
    const { status, answer } = await calls[id]()
    cell.className = 'result ' + (status < 400 && !answer?.errors ? 'ok' : 'denied')
    cell.innerHTML = '<b></b><pre></pre>'
    cell.firstChild.textContent = 'HTTP ' + status
    cell.lastChild.textContent = JSON.stringify(answer)
    cell.dataset.status = String(status)
  } catch (error) {
    cell.textContent = 'failed: ' + error
    cell.dataset.status = 'failed'
  }
}

async function whoami() {
  const { status, answer } = await trpc('whoami')
  const who = document.getElementById('who')
  who.dataset.subject = answer?.subject ?? ''
  // Log out only with a session to end; "Log in" becomes "Log in as someone else" once there is one.
  document.getElementById('logout-form').hidden = !answer
  document.getElementById('login').textContent = answer ? 'Log in as someone else' : 'Log in'
  who.textContent = answer
    ? 'Logged in as ' + answer.subject + ' (scopes: ' + (answer.scopes.join(' ') || 'none') + '; roles: ' + (answer.roles.join(' ') || 'none') + ')'
    : status === 200 ? 'Not logged in: the public calls work, the others answer 401.' : 'Session rejected: HTTP ' + status
}

for (const button of document.querySelectorAll('[data-call]')) button.onclick = () => run(button.dataset.call)
// One round: who is logged in, then every call; body[data-done] counts finished rounds (the browser test waits on it).
async function callEverything() {
  await whoami()
  await Promise.all(Object.keys(calls).map(run))
  document.body.dataset.done = String(Number(document.body.dataset.done ?? 0) + 1)
}
document.getElementById('call-all').onclick = callEverything
document.getElementById('mint').onclick = async () => {
  const response = await fetch('/token', { method: 'POST' })
  const body = await response.json()
  document.getElementById('token-panel').hidden = false
  document.getElementById('token').value = body.token ?? ''
  document.getElementById('curl').textContent = body.curl ?? 'HTTP ' + response.status + ': ' + JSON.stringify(body)
}
callEverything()
</script>
</body></html>`
}
