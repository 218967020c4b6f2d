/**
 * The public read routes' paths: PagesController's `@Controller`/`@Get` take them, and the fast
 * path (public-read.fast-path.ts) matches and names its routes by the templates made from them,
 * so the two cannot drift apart.
 */
export const PUBLIC_PAGES_PATH = 'v1/pages';
export const PUBLIC_PAGE_SUBPATH = ':slug';

/** The route templates as Fastify names them (metrics, access log). */
export const PUBLIC_LIST_ROUTE = `/${PUBLIC_PAGES_PATH}`;
export const PUBLIC_PAGE_ROUTE = `${PUBLIC_LIST_ROUTE}/${PUBLIC_PAGE_SUBPATH}`;
