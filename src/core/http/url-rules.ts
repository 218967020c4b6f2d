/** Links we store and serve: absolute http(s) only, so no `javascript:` or relative URLs. */
export const HTTP_URL = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
};
