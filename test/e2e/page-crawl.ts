import type { Page } from 'playwright-core';

/**
 * Links the crawl never follows: leaving the session, files rather than pages (exports, uploaded
 * documents), and assets. Links are GETs, which never change state in this app.
 */
const SKIPPED_PATHS: readonly RegExp[] = [/^\/logout\b/, /^\/static\//, /^\/healthz$/, /\.(csv|xlsx|pdf|docx?|zip)$/i, /^\/cases\/\d+\/documents\/\d+$/];

/** Route parameters that pick a different template rather than a different record: each value is its own page. */
const TEMPLATE_PARAMS = new Set(['form']);

export function isCrawlable(url: URL, origin: string): boolean {
  return url.origin === origin && !SKIPPED_PATHS.some((pattern) => pattern.test(url.pathname));
}

/** A declared route (e.g. '/cases/:id/print/:form') as a matcher over paths. */
export interface RouteMatcher {
  route: string;
  matches(path: string): boolean;
}

export function routeMatchers(routes: readonly string[]): RouteMatcher[] {
  const params = (route: string): number => route.split('/').filter((segment) => segment.startsWith(':')).length;
  return [...new Set(routes)]
    // '/admin/users/new' before '/admin/users/:id': the route with fewer parameters is the more specific.
    .sort((a, b) => params(a) - params(b))
    .map((route) => {
      const source = route
        .split('/')
        .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      const pattern = new RegExp(`^${source}$`);
      return { route, matches: (path: string) => pattern.test(path) };
    });
}

export function declaredRouteOf(url: URL, matchers: readonly RouteMatcher[]): string | null {
  return matchers.find((matcher) => matcher.matches(url.pathname))?.route ?? null;
}

/**
 * What makes two URLs "the same page": the declared route they match (so /cases/12 and /cases/34 are
 * one page) with template parameters kept, plus the names of the query parameters (so ?page=2 of a list
 * is a page of its own, ?page=3 is not).
 */
export function pageKey(url: URL, matchers: readonly RouteMatcher[]): string {
  const route = declaredRouteOf(url, matchers);
  const pathSegments = url.pathname.split('/');
  const path =
    route === null
      ? url.pathname
      : route
          .split('/')
          .map((segment, index) => (TEMPLATE_PARAMS.has(segment.slice(1)) ? (pathSegments[index] ?? segment) : segment))
          .join('/');
  const keys = [...new Set(url.searchParams.keys())].sort();
  return keys.length > 0 ? `${path}?${keys.join('&')}` : path;
}

/** Same-origin links a user can follow from the page (not downloads), without fragments. */
export async function crawlableLinks(page: Page, origin: string): Promise<URL[]> {
  const hrefs = await page.$$eval('a[href]:not([download])', (anchors) => anchors.map((anchor) => (anchor as HTMLAnchorElement).href));
  return hrefs
    .map((href) => {
      const url = new URL(href);
      url.hash = '';
      return url;
    })
    .filter((url) => isCrawlable(url, origin));
}

/**
 * How many instances of one page to open. Every crawl (one per role) opens each page it can reach at
 * least once, since the same page differs between roles; a second instance (another case, another
 * flag) only while the page has been opened fewer than `overall` times in all crawls together.
 */
export class PageBudget {
  private readonly opened = new Map<string, number>();

  constructor(
    private readonly perCrawl: number,
    private readonly overall: number,
    readonly maxPagesPerCrawl: number,
  ) {}

  /** Takes one opening of `key` for a crawl that has already opened it `inThisCrawl` times, if allowed. */
  take(key: string, inThisCrawl: number): boolean {
    const total = this.opened.get(key) ?? 0;
    if (inThisCrawl >= this.perCrawl || (inThisCrawl > 0 && total >= this.overall)) return false;
    this.opened.set(key, total + 1);
    return true;
  }
}

/**
 * Breadth-first over the links of every page opened, starting from `start`. `visit` opens one URL and
 * returns the links found on it.
 */
export async function crawl(start: URL, keyOf: (url: URL) => string, budget: PageBudget, visit: (url: URL) => Promise<URL[]>): Promise<URL[]> {
  const queue: URL[] = [start];
  const queued = new Set<string>([start.href]);
  const openedHere = new Map<string, number>();
  const visited: URL[] = [];
  for (let url = queue.shift(); url && visited.length < budget.maxPagesPerCrawl; url = queue.shift()) {
    const key = keyOf(url);
    const count = openedHere.get(key) ?? 0;
    if (!budget.take(key, count)) continue;
    openedHere.set(key, count + 1);
    visited.push(url);
    for (const link of await visit(url)) {
      if (queued.has(link.href)) continue;
      queued.add(link.href);
      queue.push(link);
    }
  }
  return visited;
}
