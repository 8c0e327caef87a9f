/** Signing in as a browser does: the login page gives a CSRF cookie and token, the form post gives the session cookie. */
import { SCENARIO_USERS, type BenchSeed, type SeedRole } from './scenarios.js';

function cookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map((line) => line.split(';', 1)[0] ?? '');
}

function hiddenCsrf(html: string): string {
  const token = html.match(/name="_csrf" value="([^"]*)"/)?.[1];
  if (!token) throw new Error('the login page has no _csrf field');
  return token;
}

/** The `Cookie` header of a signed-in session (session cookie only: GET pages need nothing else). */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const page = await fetch(`${baseUrl}/login`);
  const csrf = hiddenCsrf(await page.text());
  const visitorCookies = cookiePairs(page).join('; ');
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitorCookies, origin: baseUrl },
    body: new URLSearchParams({ _csrf: csrf, username, password, next: '/' }).toString(),
  });
  await response.arrayBuffer();
  const session = cookiePairs(response).find((pair) => /^(__Host-)?bvte_session=./.test(pair));
  if (response.status !== 303 || !session) throw new Error(`signing in as ${username} failed: HTTP ${response.status}`);
  return session;
}

/** One session per role the scenarios sign in as. */
export async function signInScenarioUsers(baseUrl: string, seed: BenchSeed): Promise<Record<SeedRole, string>> {
  const cookies = {} as Record<SeedRole, string>;
  for (const role of new Set(Object.values(SCENARIO_USERS))) {
    if (role) cookies[role] = await signIn(baseUrl, seed.users[role].username, seed.password);
  }
  return cookies;
}
